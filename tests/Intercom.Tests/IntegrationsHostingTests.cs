using System.Text.Json;
using Intercom.Configuration;
using Intercom.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Tests;

/// <summary>The app composes home automation onto the running station: a press on the simulated board reaches a webhook.</summary>
public sealed class IntegrationsHostingTests
{
    [Fact]
    public async Task A_button_press_on_the_running_app_reaches_the_configured_webhook()
    {
        await using var receiver = new WebhookReceiver();
        var config = new IntercomConfig { Name = "Hosting test" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Station.RingGroups[0].Targets = ["sip:resident@127.0.0.1:9"];
        config.Station.EventLog.PersistPath = null;
        config.Webhooks.Endpoints = [new WebhookEndpointConfig { Url = receiver.Url, Events = [IntegrationEventNames.Doorbell] }];
        Assert.Empty(ConfigValidator.Validate(config));

        using var app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        await using var integrations = IntegrationsHosting.Start(app, NullLoggerFactory.Instance);
        Assert.Null(integrations.Mqtt);
        Assert.NotNull(integrations.Webhooks);

        app.SimulatedBoard!.PressButton("button1");

        var request = await receiver.NextAsync();
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("doorbell", json.RootElement.GetProperty("event_type").GetString());
        Assert.Equal("Hosting test", json.RootElement.GetProperty("station").GetString());
    }
}

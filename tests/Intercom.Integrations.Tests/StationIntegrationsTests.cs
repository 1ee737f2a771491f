using Intercom.Configuration;
using Intercom.Integrations.Tests.Broker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Integrations.Tests;

/// <summary>The composed integrations, reconfigured while the station runs.</summary>
public sealed class StationIntegrationsTests
{
    [Fact]
    public async Task A_changed_webhook_section_moves_delivery_to_the_new_endpoint()
    {
        await using var before = new WebhookReceiver();
        await using var after = new WebhookReceiver();
        using var station = StationFixture.Create();
        var config = Config(station);
        config.Webhooks.Endpoints = [new WebhookEndpointConfig { Url = before.Url, Events = [IntegrationEventNames.Doorbell] }];
        await using var integrations = StationIntegrations.Start(config, "1.0", station.Station, station.Board, station.Time, NullLoggerFactory.Instance);
        station.Board.PressButton("button1");
        await before.NextAsync();

        var changed = Config(station);
        changed.Webhooks.Endpoints = [new WebhookEndpointConfig { Url = after.Url, Events = [IntegrationEventNames.Doorbell] }];
        Assert.Equal(["webhooks"], await integrations.ReconfigureAsync(changed));
        station.Station.HangUp("test");
        station.Board.PressButton("button1");

        await after.NextAsync();
        Assert.False(before.TryNext(out _));
        Assert.Empty(await integrations.ReconfigureAsync(changed));
    }

    [Fact]
    public async Task Mqtt_switched_on_at_run_time_connects_and_switched_off_says_offline()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [BridgeRig.Prefix + "/availability"]);
        using var station = StationFixture.Create();
        await using var integrations = StationIntegrations.Start(Config(station), "1.0", station.Station, station.Board, station.Time, NullLoggerFactory.Instance);
        Assert.Null(integrations.Mqtt);

        var on = Config(station);
        on.Mqtt = BridgeRig.Config(broker.Port);
        Assert.Equal(["mqtt"], await integrations.ReconfigureAsync(on));
        await probe.WaitForAsync(BridgeRig.Prefix + "/availability", m => m.Payload == "online");

        Assert.Equal(["mqtt"], await integrations.ReconfigureAsync(Config(station)));
        await probe.WaitForAsync(BridgeRig.Prefix + "/availability", m => m.Payload == "offline");
        Assert.Null(integrations.Mqtt);
    }

    private static IntercomConfig Config(StationFixture station) => new() { Name = "Front door", Station = station.Config };
}

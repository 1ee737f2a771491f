using System.Text.Json;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Station.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Tests;

/// <summary>
/// The app composes home automation onto the running station: a press on the simulated board reaches a webhook, and each
/// account's registration, raised by the phone, reaches the station's bus and from there the integrations as a typed event.
/// </summary>
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

    [Fact]
    public async Task Each_accounts_registration_reaches_the_station_and_a_webhook_as_a_typed_event()
    {
        using var pbxs = new TwoAccountPbxs();
        pbxs.B.RegisterStatus = 401; // b's password is refused
        await using var receiver = new WebhookReceiver();
        var config = new IntercomConfig { Name = "Hosting test" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts = [.. pbxs.Accounts.Select(a => new SipAccountConfig
        {
            Id = a.Id, Aor = a.AddressOfRecord, Register = true, Password = a.Password, Keepalive = "off",
        })];
        config.Station.EventLog.PersistPath = null;
        config.Webhooks.Endpoints = [new WebhookEndpointConfig { Url = receiver.Url, Events = [IntegrationEventNames.Registration] }];
        Assert.Empty(ConfigValidator.Validate(config));

        using var app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        await using var integrations = IntegrationsHosting.Start(app, NullLoggerFactory.Instance);

        await Eventually.UntilAsync(() => app.Station.AccountRegistrations.Any(r => r is { AccountId: "a", State: AccountRegistrationState.Registered })
            && app.Station.AccountRegistrations.Any(r => r is { AccountId: "b", State: AccountRegistrationState.AuthenticationFailed }),
            "a registered and b refused, at the station", state: () => string.Join("\n", app.Station.AccountRegistrations));
        var a = app.Station.AccountRegistrations.Single(r => r.AccountId == "a");
        Assert.Equal((200, $"udp:{pbxs.A.HostPort}"), (a.StatusCode, a.Registrar?.ToLowerInvariant()));
        Assert.Contains(app.Station.Events.Snapshot(), e => e.Detail is AccountRegistrationChanged { AccountId: "b", StatusCode: 401 });
        Assert.True(app.Station.GetStatus().Registered);
        await Eventually.UntilAsync(() => integrations.Feed.IsRegistered("a")
            && integrations.Feed.RegistrationState("b") == AccountRegistrationState.AuthenticationFailed, "the integrations' state");

        // b's password is changed and now accepted: the webhook hears of it (and of whatever else changed since the
        // integrations started, in the order it came).
        pbxs.B.RegisterStatus = 200;
        var fixedPassword = ConfigJson(config);
        fixedPassword.Accounts[1].Password = "b-secret-2";
        await app.ReconfigureCallsAsync(fixedPassword);
        var states = new List<(string?, string?)>();
        while (!states.Contains(("b", "registered")))
        {
            using var json = JsonDocument.Parse((await receiver.NextAsync()).Body);
            Assert.Equal("registration", json.RootElement.GetProperty("event_type").GetString());
            states.Add((json.RootElement.GetProperty("subject").GetString(), json.RootElement.GetProperty("state").GetString()));
        }

        Assert.Contains(("b", "registering"), states);
    }

    private static IntercomConfig ConfigJson(IntercomConfig config) =>
        JsonSerializer.Deserialize(JsonSerializer.Serialize(config, ConfigJsonContext.Default.IntercomConfig), ConfigJsonContext.Default.IntercomConfig)!;
}

using System.Text.Json;
using Intercom.Configuration;
using Intercom.Integrations.Mqtt;
using Intercom.Integrations.Tests.Broker;
using Intercom.Integrations.Webhooks;
using Intercom.Station.Events;

namespace Intercom.Integrations.Tests;

/// <summary>
/// Each account's registration reaches home automation as the station's typed event (<see cref="AccountRegistrationChanged"/>),
/// never as log text: the retained state per account on MQTT, Home Assistant's sensors, and a "registration" event on
/// MQTT and webhooks with the account and its state. Every test here runs with a station that writes no log line.
/// </summary>
public sealed class RegistrationEventTests
{
    private static readonly AccountRegistrationChanged Registered =
        new("pbx", AccountRegistrationState.Registered, "200 OK", "udp:127.0.0.1:5060", 200);

    private static readonly AccountRegistrationChanged CredentialsRefused =
        new("pbx", AccountRegistrationState.AuthenticationFailed, "403 Forbidden after credentials", "udp:127.0.0.1:5060", 403);

    [Fact]
    public void The_feed_raises_a_registration_event_per_change_of_state_with_the_account_and_its_state()
    {
        using var f = StationFixture.Create(formatter: new SilentFormatter());
        using var feed = new StationFeed(f.Station, f.Board, ["pbx"], f.Time);
        var events = new List<IntegrationEvent>();
        feed.EventRaised += (_, e) => events.Add(e);
        feed.Start();

        f.Station.ReportRegistration(Registered);
        f.Station.ReportRegistration(Registered with { Reason = "200 Fine" }); // same state: no new event
        f.Station.ReportRegistration(CredentialsRefused);
        f.Station.ReportRegistration(new AccountRegistrationChanged("direct", AccountRegistrationState.Retrying, "408 no answer"));

        Assert.Equal(
            [("registration", "pbx", "registered"), ("registration", "pbx", "authentication_failed"), ("registration", "direct", "retrying")],
            events.Select(e => (e.Name, e.Subject, e.State)));
        Assert.False(feed.IsRegistered("pbx"));
        Assert.Equal(AccountRegistrationState.AuthenticationFailed, feed.RegistrationState("pbx"));
        Assert.Empty(f.Log);
    }

    [Fact]
    public void A_feed_started_after_the_first_report_starts_from_the_stations_last_report()
    {
        using var f = StationFixture.Create(formatter: new SilentFormatter());
        f.Station.ReportRegistration(Registered);
        using var feed = new StationFeed(f.Station, f.Board, ["pbx"], f.Time);
        var events = new List<IntegrationEvent>();
        feed.EventRaised += (_, e) => events.Add(e);

        feed.Start();

        Assert.True(feed.IsRegistered("pbx"));
        Assert.Empty(events);
        f.Station.ReportRegistration(CredentialsRefused);
        Assert.Equal("authentication_failed", Assert.Single(events).State);
    }

    [Fact]
    public void Home_assistant_gets_a_registration_state_sensor_per_account_beside_its_connectivity_sensor()
    {
        var topics = new MqttTopics("intercom", "homeassistant", "intercom-front");

        var documents = HomeAssistantDiscovery.Build(topics, "Front", "1.0", [], ["pbx", "direct"], acceptCommands: false);

        foreach (var account in new[] { "pbx", "direct" })
        {
            using var connectivity = JsonDocument.Parse(Assert.Single(documents, d => d.Topic == $"homeassistant/binary_sensor/intercom-front/registration_{account}/config").Payload);
            Assert.Equal($"intercom/registration/{account}", connectivity.RootElement.GetProperty("state_topic").GetString());
            using var state = JsonDocument.Parse(Assert.Single(documents, d => d.Topic == $"homeassistant/sensor/intercom-front/registration_state_{account}/config").Payload);
            Assert.Equal($"intercom/registration/{account}/state", state.RootElement.GetProperty("state_topic").GetString());
            Assert.Equal("enum", state.RootElement.GetProperty("device_class").GetString());
            Assert.Equal("diagnostic", state.RootElement.GetProperty("entity_category").GetString());
            Assert.Equal(RegistrationStates.All, state.RootElement.GetProperty("options").EnumerateArray().Select(o => o.GetString()));
        }
    }

    [Fact]
    public void Every_station_state_has_its_own_mqtt_word()
    {
        var words = Enum.GetValues<AccountRegistrationState>().Select(RegistrationStates.Of).ToList();

        Assert.Equal(words.Count, words.Distinct().Count());
        Assert.Equal(RegistrationStates.All, words);
    }

    [Fact]
    public async Task Mqtt_publishes_each_accounts_state_retained_and_a_registration_event_with_no_log_line()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port), new SilentFormatter());
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [BridgeRig.Prefix + "/#"]);
        await probe.WaitForAsync(BridgeRig.Prefix + "/registration/pbx/state", m => m.Payload == "unregistered");

        rig.Station.Station.ReportRegistration(Registered);
        await probe.WaitForAsync(BridgeRig.Prefix + "/registration/pbx", m => m.Payload == "registered");
        await probe.WaitForAsync(BridgeRig.Prefix + "/registration/pbx/state", m => m.Payload == "registered");
        rig.Station.Station.ReportRegistration(CredentialsRefused);

        await probe.WaitForAsync(BridgeRig.Prefix + "/registration/pbx", m => m.Payload == "not_registered");
        await probe.WaitForAsync(BridgeRig.Prefix + "/registration/pbx/state", m => m.Payload == "authentication_failed");
        var refused = await probe.WaitForAsync(BridgeRig.Prefix + "/event/registration",
            m => m.Payload.Contains("authentication_failed", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(refused.Payload);
        Assert.Equal("registration", json.RootElement.GetProperty("event_type").GetString());
        Assert.Equal("pbx", json.RootElement.GetProperty("subject").GetString());
        Assert.Equal("authentication_failed", json.RootElement.GetProperty("state").GetString());
        Assert.Empty(rig.Station.Log);

        // Retained: a subscriber that comes later reads where the account stands.
        await using var late = await MqttProbe.ConnectAsync(broker.Port, [BridgeRig.Prefix + "/registration/#"]);
        var state = await late.WaitForAsync(BridgeRig.Prefix + "/registration/pbx/state");
        Assert.True(state.Retain);
        Assert.Equal("authentication_failed", state.Payload);
    }

    [Fact]
    public async Task A_webhook_receives_the_registration_event_with_the_account_and_its_state()
    {
        await using var receiver = new WebhookReceiver();
        using var f = StationFixture.Create(formatter: new SilentFormatter());
        using var feed = new StationFeed(f.Station, f.Board, ["pbx"], f.Time);
        var endpoint = new WebhookEndpointConfig { Url = receiver.Url, Events = [IntegrationEventNames.Registration] };
        await using var dispatcher = new WebhookDispatcher(new WebhooksConfig { Endpoints = [endpoint] }, "Front door", feed, f.Time);
        feed.Start();
        dispatcher.Start();

        f.Board.PressButton("button1"); // a doorbell: not asked for by this endpoint
        f.Station.ReportRegistration(CredentialsRefused);

        var posted = await receiver.NextAsync();
        using var json = JsonDocument.Parse(posted.Body);
        Assert.Equal("registration", json.RootElement.GetProperty("event_type").GetString());
        Assert.Equal("pbx", json.RootElement.GetProperty("subject").GetString());
        Assert.Equal("authentication_failed", json.RootElement.GetProperty("state").GetString());
        Assert.Equal("Front door", json.RootElement.GetProperty("station").GetString());
    }

    /// <summary>Writes no line at all: nothing can be read from the log.</summary>
    private sealed class SilentFormatter : StationEventFormatter
    {
        public override string? Describe(DoorStationEvent e) => null;
    }
}

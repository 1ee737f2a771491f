using System.Text.Json;
using Intercom.Integrations.Mqtt;
using Intercom.Integrations.Tests.Broker;
using MQTTnet;

using Intercom.Station.Events;

namespace Intercom.Integrations.Tests;

/// <summary>The MQTT bridge against Debian's mosquitto on loopback, started per test and stopped by PID.</summary>
public sealed class MqttBrokerTests
{
    private const string Prefix = BridgeRig.Prefix;

    [Fact]
    public async Task Doorbell_press_is_published_as_an_event_with_its_button()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port));
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/#"]);

        rig.Station.Board.PressButton("button1");

        var doorbell = await probe.WaitForAsync(Prefix + "/event/doorbell");
        Assert.False(doorbell.Retain);
        using var json = JsonDocument.Parse(doorbell.Payload);
        Assert.Equal("doorbell", json.RootElement.GetProperty("event_type").GetString());
        Assert.Equal("button1", json.RootElement.GetProperty("subject").GetString());
        Assert.Equal("Front door", json.RootElement.GetProperty("station").GetString());
        Assert.Equal(rig.Station.Time.GetUtcNow(), json.RootElement.GetProperty("at").GetDateTimeOffset());
        var started = await probe.WaitForAsync(Prefix + "/event/call_started");
        Assert.Contains("calling ring group residents", started.Payload, StringComparison.Ordinal);
        await probe.WaitForAsync(Prefix + "/call_state", m => m.Payload == "calling");
    }

    [Fact]
    public async Task Home_Assistant_discovery_describes_the_station_as_one_device()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port));
        // Subscribed after the bridge published: discovery documents are retained, as Home Assistant needs them.
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, ["homeassistant/#"]);
        var node = rig.Bridge.Topics.NodeId;
        Assert.Equal("intercom-front_door", node);

        var doorbell = await probe.WaitForAsync($"homeassistant/event/{node}/doorbell/config");
        Assert.True(doorbell.Retain);
        using (var json = JsonDocument.Parse(doorbell.Payload))
        {
            var root = json.RootElement;
            Assert.Equal("doorbell", root.GetProperty("device_class").GetString());
            Assert.Equal(Prefix + "/event/doorbell", root.GetProperty("state_topic").GetString());
            Assert.Equal(["doorbell"], root.GetProperty("event_types").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(Prefix + "/availability", root.GetProperty("availability_topic").GetString());
            Assert.Equal(node + "_doorbell", root.GetProperty("unique_id").GetString());
            var device = root.GetProperty("device");
            Assert.Equal(node, device.GetProperty("identifiers")[0].GetString());
            Assert.Equal("Front door", device.GetProperty("name").GetString());
            Assert.Equal("0.1.0-test", device.GetProperty("sw_version").GetString());
        }

        var door = await probe.WaitForAsync($"homeassistant/lock/{node}/relay_door/config");
        using (var json = JsonDocument.Parse(door.Payload))
        {
            var root = json.RootElement;
            Assert.Equal(Prefix + "/relay/door/set", root.GetProperty("command_topic").GetString());
            Assert.Equal(Prefix + "/relay/door", root.GetProperty("state_topic").GetString());
            Assert.Equal("OFF", root.GetProperty("state_locked").GetString());
            Assert.Equal("ON", root.GetProperty("state_unlocked").GetString());
        }

        var callState = await probe.WaitForAsync($"homeassistant/sensor/{node}/call_state/config");
        using (var json = JsonDocument.Parse(callState.Payload))
        {
            Assert.Equal(["idle", "calling", "in_call"], json.RootElement.GetProperty("options").EnumerateArray().Select(e => e.GetString()));
        }

        var registration = await probe.WaitForAsync($"homeassistant/binary_sensor/{node}/registration_pbx/config");
        using (var json = JsonDocument.Parse(registration.Payload))
        {
            Assert.Equal("connectivity", json.RootElement.GetProperty("device_class").GetString());
            Assert.Equal(Prefix + "/registration/pbx", json.RootElement.GetProperty("state_topic").GetString());
        }

        await probe.WaitForAsync($"homeassistant/button/{node}/hang_up/config", m => m.Payload.Contains(Prefix + "/command/hangup", StringComparison.Ordinal));
    }

    [Fact]
    public async Task State_is_retained_so_a_late_subscriber_sees_it()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port));
        rig.Station.Station.ReportRegistration(new AccountRegistrationChanged("pbx", AccountRegistrationState.Registered, "200 OK", "udp:127.0.0.1:5060", 200));
        rig.Station.Board.PressButton("button1");
        await using (var first = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/#"]))
        {
            await first.WaitForAsync(Prefix + "/call_state", m => m.Payload == "calling");
            await first.WaitForAsync(Prefix + "/registration/pbx", m => m.Payload == "registered");
        }

        await using var late = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/#"]);

        Assert.True((await late.WaitForAsync(Prefix + "/availability")).Retain);
        Assert.Equal("online", (await late.WaitForAsync(Prefix + "/availability")).Payload);
        Assert.Equal("calling", (await late.WaitForAsync(Prefix + "/call_state")).Payload);
        Assert.Equal("registered", (await late.WaitForAsync(Prefix + "/registration/pbx")).Payload);
        Assert.Equal("OFF", (await late.WaitForAsync(Prefix + "/relay/door")).Payload);
        // Events are not retained: the late subscriber never hears of the old ring.
        Assert.DoesNotContain(late.Messages, m => m.Topic.StartsWith(Prefix + "/event/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_command_pulses_the_relay_and_its_state_follows()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port));
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/#"]);
        var energised = WaitForRelay(rig, "door", energised: true);

        await probe.PublishAsync(Prefix + "/command/open", "door");

        await energised.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(rig.Station.Board.RelayTransitions, t => t.RelayId == "door" && t.Energised);
        await probe.WaitForAsync(Prefix + "/relay/door", m => m.Payload == "ON");
        await probe.WaitForAsync(Prefix + "/event/door_opened", m => m.Payload.Contains("\"subject\":\"door\"", StringComparison.Ordinal));

        // The pulse ends on the station's clock (3 s for the door) and the retained state says so.
        var released = WaitForRelay(rig, "door", energised: false);
        rig.Station.Seconds(3);
        await released.WaitAsync(TimeSpan.FromSeconds(10));
        await probe.WaitForAsync(Prefix + "/relay/door", m => m.Payload == "OFF");
        Assert.Equal(1, rig.Station.Energised("door"));
        Assert.Equal(1, rig.Bridge.Commands);
    }

    [Fact]
    public async Task Home_Assistant_lock_unlock_pulses_a_pulse_relay_and_lock_cuts_the_pulse_short()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port));
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/#"]);
        var energised = WaitForRelay(rig, "gate", energised: true);

        await probe.PublishAsync(Prefix + "/relay/gate/set", "UNLOCK");
        await energised.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(rig.Station.Board.IsRelayHeld("gate"));
        // The retained state is the relay's state when the bridge publishes it: a LOCK sent before the ON went out would
        // (rightly) leave only OFF to see. Home Assistant shows it unlocked before it locks it again.
        await probe.WaitForAsync(Prefix + "/relay/gate", m => m.Payload == "ON");
        var released = WaitForRelay(rig, "gate", energised: false);
        await probe.PublishAsync(Prefix + "/relay/gate/set", "LOCK");

        await released.WaitAsync(TimeSpan.FromSeconds(10));
        await probe.WaitForAsync(Prefix + "/relay/gate", m => m.Payload == "OFF" && probe.Messages.Any(x => x.Topic == Prefix + "/relay/gate" && x.Payload == "ON"));
        await probe.WaitForAsync(Prefix + "/event/relay_released", m => m.Payload.Contains("\"subject\":\"gate\"", StringComparison.Ordinal));
        Assert.Equal(1, rig.Station.Energised("gate"));
        Assert.Equal(0, rig.Station.Energised("door"));
        Assert.Empty(rig.Refusals);

        // A pulse relay cannot be held, whatever asks.
        await probe.PublishAsync(Prefix + "/relay/gate/set", "HOLD");
        await Eventually.UntilAsync(() => !rig.Refusals.IsEmpty, "the refusal");
        Assert.Equal(["the relay only pulses: holding it open needs station.relays[].mode Hold"], rig.Refusals);
        Assert.Equal(1, rig.Station.Energised("gate"));
    }

    [Fact]
    public async Task Home_Assistant_lock_holds_a_hold_relay_on_unlock_releases_it_on_lock_and_the_state_says_so()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port),
            station: c => c.Relays[0].Mode = Intercom.Station.Configuration.RelayMode.Hold);
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/#", "homeassistant/#"]);
        var node = rig.Bridge.Topics.NodeId;
        await probe.WaitForAsync(Prefix + "/relay/door/held", m => m.Payload == "OFF" && m.Retain);

        // Discovery: the door's lock, and a "held open" sensor for it only (the gate only pulses).
        var held = await probe.WaitForAsync($"homeassistant/binary_sensor/{node}/relay_door_held/config");
        using (var json = JsonDocument.Parse(held.Payload))
        {
            Assert.Equal(Prefix + "/relay/door/held", json.RootElement.GetProperty("state_topic").GetString());
            Assert.Equal("lock", json.RootElement.GetProperty("device_class").GetString());
            Assert.Equal("ON", json.RootElement.GetProperty("payload_on").GetString());
        }

        var lockDocument = await probe.WaitForAsync($"homeassistant/lock/{node}/relay_door/config");
        using (var json = JsonDocument.Parse(lockDocument.Payload))
        {
            Assert.Equal("LOCK", json.RootElement.GetProperty("payload_lock").GetString());
            Assert.Equal("UNLOCK", json.RootElement.GetProperty("payload_unlock").GetString());
        }

        // (An empty retained document removes the gate's from the broker, so a subscriber never sees one.)
        Assert.DoesNotContain(probe.Messages, m => m.Topic == $"homeassistant/binary_sensor/{node}/relay_gate_held/config" && m.Payload.Length > 0);

        await probe.PublishAsync(Prefix + "/relay/door/set", "UNLOCK");
        await probe.WaitForAsync(Prefix + "/relay/door/held", m => m.Payload == "ON");
        await probe.WaitForAsync(Prefix + "/relay/door", m => m.Payload == "ON");
        await probe.WaitForAsync(Prefix + "/event/relay_held", m => m.Payload.Contains("door held open by mqtt", StringComparison.Ordinal));

        // Past the relay's maxMs (10 s) on the station's clock: still unlocked.
        rig.Station.Seconds(60);
        Assert.True(rig.Station.Board.IsRelayEnergised("door"));

        await probe.PublishAsync(Prefix + "/relay/door/set", "LOCK");
        await probe.WaitForAsync(Prefix + "/relay/door/held", m => m.Payload == "OFF" && !m.Retain);
        await probe.WaitForAsync(Prefix + "/relay/door", m => m.Payload == "OFF");
        await probe.WaitForAsync(Prefix + "/event/relay_released", m => m.Payload.Contains("door hold ended by mqtt", StringComparison.Ordinal));
        Assert.False(rig.Station.Board.IsRelayEnergised("door"));

        // "Unlock for 20 minutes".
        await probe.PublishAsync(Prefix + "/relay/door/set", "HOLD 20");
        await probe.WaitForAsync(Prefix + "/event/relay_held", m => m.Payload.Contains("until", StringComparison.Ordinal));
        rig.Station.Seconds(20 * 60);
        await probe.WaitForAsync(Prefix + "/event/relay_released", m => m.Payload.Contains("the end of its time", StringComparison.Ordinal));
        Assert.False(rig.Station.Board.IsRelayEnergised("door"));
        Assert.Empty(rig.Refusals);
    }

    [Fact]
    public async Task The_doors_contact_held_open_forced_open_tamper_exit_button_and_keypad_lockout_reach_home_assistant()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port), station: c =>
        {
            c.Board.Keypad = new Intercom.Station.Configuration.KeypadWiringConfig();
            c.Keypad.LocalCodes = [new Intercom.Station.Configuration.CodeConfig { Id = "cleaner", Code = "2580", Relay = "door" }];
        });
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/#", "homeassistant/#"]);
        var node = rig.Bridge.Topics.NodeId;

        // Discovery: a binary sensor per input state, the exit button an event entity.
        foreach (var (name, deviceClass) in new[]
        {
            ("door_contact", "door"), ("door_held_open", "problem"), ("door_forced_open", "safety"), ("tamper", "tamper"),
            ("keypad_lockout", "problem"), ("code_lockout", "problem"),
        })
        {
            var document = await probe.WaitForAsync($"homeassistant/binary_sensor/{node}/{name}/config");
            using var json = JsonDocument.Parse(document.Payload);
            Assert.Equal(Prefix + "/" + name, json.RootElement.GetProperty("state_topic").GetString());
            Assert.Equal(deviceClass, json.RootElement.GetProperty("device_class").GetString());
            Assert.Equal("ON", json.RootElement.GetProperty("payload_on").GetString());
            Assert.Equal("OFF", (await probe.WaitForAsync(Prefix + "/" + name, m => m.Retain)).Payload);
        }

        var exitDocument = await probe.WaitForAsync($"homeassistant/event/{node}/exit_button/config");
        using (var json = JsonDocument.Parse(exitDocument.Payload))
        {
            Assert.Equal(Prefix + "/event/exit_button", json.RootElement.GetProperty("state_topic").GetString());
            Assert.Equal(["exit_button"], json.RootElement.GetProperty("event_types").EnumerateArray().Select(e => e.GetString()));
        }

        // Opened without the relay: open, forced; held open after the board's 60 s; all clear when it closes.
        rig.Station.Board.SetDoorOpen(true);
        await probe.WaitForAsync(Prefix + "/door_contact", m => m.Payload == "ON");
        await probe.WaitForAsync(Prefix + "/door_forced_open", m => m.Payload == "ON");
        await probe.WaitForAsync(Prefix + "/event/door_contact_opened");
        var forced = await probe.WaitForAsync(Prefix + "/event/door_forced_open");
        Assert.Contains("door opened without electric release", forced.Payload, StringComparison.Ordinal);
        rig.Station.Seconds(60);
        await probe.WaitForAsync(Prefix + "/door_held_open", m => m.Payload == "ON");
        await probe.WaitForAsync(Prefix + "/event/door_held_open");
        rig.Station.Board.SetDoorOpen(false);
        await probe.WaitForAsync(Prefix + "/event/door_contact_closed");
        foreach (var name in new[] { "door_contact", "door_held_open", "door_forced_open" })
        {
            await probe.WaitForAsync(Prefix + "/" + name, m => m.Payload == "OFF" && !m.Retain);
        }

        // Opened with the relay: not forced.
        rig.Station.Board.PressExitButton();
        var exit = await probe.WaitForAsync(Prefix + "/event/exit_button");
        Assert.Contains("\"subject\":\"door\"", exit.Payload, StringComparison.Ordinal);
        rig.Station.Board.SetDoorOpen(true);
        await probe.WaitForAsync(Prefix + "/event/door_contact_opened", m => probe.Messages.Count(x => x.Topic == Prefix + "/event/door_contact_opened") == 2);
        Assert.Single(probe.Messages, m => m.Topic == Prefix + "/event/door_forced_open");
        rig.Station.Board.SetDoorOpen(false);

        rig.Station.Board.SetTamper(true);
        await probe.WaitForAsync(Prefix + "/tamper", m => m.Payload == "ON");
        await probe.WaitForAsync(Prefix + "/event/tamper", m => m.Payload.Contains("\"state\":\"active\"", StringComparison.Ordinal));
        rig.Station.Board.SetTamper(false);
        await probe.WaitForAsync(Prefix + "/tamper", m => m.Payload == "OFF" && !m.Retain);
        await probe.WaitForAsync(Prefix + "/event/tamper", m => m.Payload.Contains("\"state\":\"cleared\"", StringComparison.Ordinal));

        // Three wrong keypad codes lock the keypad out for 60 s.
        foreach (var key in "000011112222")
        {
            rig.Station.Board.PressKey(key);
        }

        await probe.WaitForAsync(Prefix + "/keypad_lockout", m => m.Payload == "ON");
        await probe.WaitForAsync(Prefix + "/event/lockout", m => m.Payload.Contains("\"subject\":\"keypad\"", StringComparison.Ordinal));
        rig.Station.Seconds(60);
        await probe.WaitForAsync(Prefix + "/keypad_lockout", m => m.Payload == "OFF" && !m.Retain);
        await probe.WaitForAsync(Prefix + "/event/lockout_ended", m => m.Payload.Contains("\"subject\":\"keypad\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inputs_the_board_does_not_have_are_removed_from_home_assistant()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port), station: c =>
        {
            c.Board.DoorContact = null;
            c.Board.ExitButton = null;
        });
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, ["homeassistant/#"]);
        var node = rig.Bridge.Topics.NodeId;

        // The tamper switch is fitted; the door contact, exit button and keypad are not: their documents are removed (an
        // empty retained message deletes any the broker kept, so none reaches a subscriber).
        await probe.WaitForAsync($"homeassistant/binary_sensor/{node}/tamper/config");
        await probe.WaitForAsync($"homeassistant/binary_sensor/{node}/code_lockout/config");
        Assert.DoesNotContain(probe.Messages, m => m.Payload.Length > 0 && (m.Topic.Contains("/door_contact/", StringComparison.Ordinal)
            || m.Topic.Contains("/door_forced_open/", StringComparison.Ordinal) || m.Topic.Contains("/exit_button/", StringComparison.Ordinal)
            || m.Topic.Contains("/keypad_lockout/", StringComparison.Ordinal)));
        var documents = HomeAssistantDiscovery.Build(rig.Bridge.Topics, "Front door", "1", rig.Feed.RelayIds, rig.Feed.AccountIds, true,
            rig.Feed.HoldableRelays, rig.Feed.Inputs);
        Assert.Equal("", Assert.Single(documents, d => d.Topic == $"homeassistant/binary_sensor/{node}/door_contact/config").Payload);
        Assert.Equal("", Assert.Single(documents, d => d.Topic == $"homeassistant/event/{node}/exit_button/config").Payload);
    }

    [Fact]
    public async Task A_retained_open_command_does_not_open_the_door_at_connection()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using (var attacker = await MqttProbe.ConnectAsync(broker.Port, []))
        {
            await attacker.PublishAsync(Prefix + "/command/open", "door", retain: true);
        }

        await using var rig = BridgeRig.Start(BridgeRig.Config(broker.Port));
        var refused = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Bridge.CommandRefused += (_, reason) => refused.TrySetResult(reason);
        await rig.WaitConnectedAsync();

        Assert.Equal("retained commands are ignored", await refused.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, rig.Station.Energised("door"));
        Assert.Equal(0, rig.Bridge.Commands);
    }

    [Fact]
    public async Task Hang_up_and_dial_commands_reach_the_station()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port));
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/#"]);

        await probe.PublishAsync(Prefix + "/command/dial", "residents");
        await probe.WaitForAsync(Prefix + "/call_state", m => m.Payload == "calling");
        Assert.Contains(rig.Station.Calls.Dialled, d => d.Target == "sip:alice@pbx.example");

        await probe.PublishAsync(Prefix + "/command/hangup", "");
        await probe.WaitForAsync(Prefix + "/event/call_ended");
        await probe.WaitForAsync(Prefix + "/call_state", m => m.Payload == "idle" && !m.Retain);
        Assert.Equal(2, rig.Station.Calls.HungUp.Count);
    }

    [Fact]
    public async Task Broker_publishes_the_last_will_when_the_station_vanishes_and_it_comes_back_online()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var proxy = new DroppingTcpProxy(broker.Port);
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(proxy.Port));
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/availability"]);
        await probe.WaitForAsync(Prefix + "/availability", m => m.Payload == "online");

        proxy.DropAll();

        var will = await probe.WaitForAsync(Prefix + "/availability", m => m.Payload == "offline");
        Assert.False(will.Retain); // delivered live to an existing subscription (MQTT 3.1.1 §3.3.1.3), retained on the broker
        await rig.WaitReconnectScheduledAsync();
        Assert.Equal(TimeSpan.FromSeconds(1), rig.LastReconnectDelay); // the minimum: jitter never goes below it

        rig.Station.Advance(rig.LastReconnectDelay);
        await rig.WaitConnectedAsync();
        await probe.WaitForAsync(Prefix + "/availability", m => m.Payload == "online" && probe.Messages.Count(x => x.Payload == "online") >= 2);
        Assert.Equal(2, rig.Bridge.Connections);
        Assert.Equal(2, proxy.Accepted);
    }

    [Fact]
    public async Task An_event_that_waited_over_a_minute_for_the_broker_is_dropped_not_published_late()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var proxy = new DroppingTcpProxy(broker.Port);
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(proxy.Port));
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/event/doorbell"]);
        proxy.DropAll();
        await rig.WaitReconnectScheduledAsync();

        rig.Station.Board.PressButton("button1"); // queued: no broker
        rig.Station.Advance(StationMqttBridge.MaxEventAge + TimeSpan.FromSeconds(1));
        await rig.WaitConnectedAsync();
        rig.Station.Board.PressButton("button1");

        var delivered = await probe.WaitForAsync(Prefix + "/event/doorbell");
        using var json = JsonDocument.Parse(delivered.Payload);
        Assert.NotEqual(1, json.RootElement.GetProperty("sequence").GetInt64()); // the first ring never arrives
        Assert.Single(probe.Messages);
        Assert.Equal(2, rig.Bridge.Expired); // the first ring's doorbell and call_started
    }

    [Fact]
    public async Task Home_Assistant_coming_online_gets_discovery_and_state_again()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port));
        var node = rig.Bridge.Topics.NodeId;
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [$"homeassistant/event/{node}/doorbell/config", Prefix + "/call_state"]);
        await probe.WaitForAsync($"homeassistant/event/{node}/doorbell/config", m => m.Retain);

        await probe.PublishAsync("homeassistant/status", "online");

        // Sent again while we are subscribed: delivered live, so without the retain flag (MQTT 3.1.1 §3.3.1.3).
        await probe.WaitForAsync($"homeassistant/event/{node}/doorbell/config", m => !m.Retain);
        await probe.WaitForAsync(Prefix + "/call_state", m => !m.Retain && m.Payload == "idle");
    }

    [Fact]
    public async Task Clean_stop_publishes_offline_itself()
    {
        await using var broker = await Mosquitto.StartAsync();
        var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port));
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/availability"]);
        await probe.WaitForAsync(Prefix + "/availability", m => m.Payload == "online");

        await rig.DisposeAsync();

        await probe.WaitForAsync(Prefix + "/availability", m => m.Payload == "offline");
        Assert.False(rig.Bridge.IsConnected);
    }

    [Fact]
    public async Task Tls_with_the_brokers_CA_and_a_password_connects()
    {
        var certificates = TestCertificates.Create(Path.Combine(Path.GetTempPath(), "intercom-mqtt-tls-" + Guid.NewGuid().ToString("N")[..8]));
        await using var broker = await Mosquitto.StartAsync(certificates, ("door", "s3cret-door-password"));
        var config = BridgeRig.Config(broker.Port);
        config.Host = "localhost";
        config.Username = "door";
        config.Password = "s3cret-door-password";
        config.Tls.Enabled = true;
        config.Tls.CaFile = certificates.CaFile;
        await using var rig = await BridgeRig.StartConnectedAsync(config);
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [Prefix + "/availability"], o => o
            .WithCredentials("door", "s3cret-door-password")
            .WithTlsOptions(t => t.UseTls().WithCertificateValidationHandler(_ => true)));

        Assert.Equal("online", (await probe.WaitForAsync(Prefix + "/availability")).Payload);
        Assert.True(rig.Bridge.IsConnected);
    }

    [Fact]
    public async Task Wrong_password_or_an_untrusted_broker_is_refused_and_retried()
    {
        var certificates = TestCertificates.Create(Path.Combine(Path.GetTempPath(), "intercom-mqtt-tls-" + Guid.NewGuid().ToString("N")[..8]));
        var stranger = TestCertificates.Create(Path.Combine(Path.GetTempPath(), "intercom-mqtt-tls-" + Guid.NewGuid().ToString("N")[..8]));
        await using var broker = await Mosquitto.StartAsync(certificates, ("door", "s3cret-door-password"));

        var wrongPassword = BridgeRig.Config(broker.Port);
        wrongPassword.Host = "localhost";
        wrongPassword.Username = "door";
        wrongPassword.Password = "not-the-password";
        wrongPassword.Tls.Enabled = true;
        wrongPassword.Tls.CaFile = certificates.CaFile;
        await using (var rig = BridgeRig.Start(wrongPassword))
        {
            await rig.WaitReconnectScheduledAsync();
            Assert.Equal(0, rig.Bridge.Connections);
        }

        var wrongCa = BridgeRig.Config(broker.Port);
        wrongCa.Host = "localhost";
        wrongCa.Username = "door";
        wrongCa.Password = "s3cret-door-password";
        wrongCa.Tls.Enabled = true;
        wrongCa.Tls.CaFile = stranger.CaFile;
        await using (var rig = BridgeRig.Start(wrongCa))
        {
            await rig.WaitReconnectScheduledAsync();
            Assert.Equal(0, rig.Bridge.Connections);
        }

        // The same untrusted broker with verification off (a lab setup) is accepted.
        wrongCa.Tls.VerifyPeer = false;
        await using (var rig = await BridgeRig.StartConnectedAsync(wrongCa))
        {
            Assert.Equal(1, rig.Bridge.Connections);
        }
    }

    [Fact]
    public async Task Unreachable_broker_backs_off_and_the_station_is_never_held_up()
    {
        var port = FreePort.Next(); // nobody listens here
        var config = BridgeRig.Config(port);
        config.QueueCapacity = 16;
        await using var rig = BridgeRig.Start(config);
        await rig.WaitReconnectScheduledAsync();
        Assert.Equal(TimeSpan.FromSeconds(1), rig.LastReconnectDelay); // the minimum: jitter never goes below it
        rig.Station.Advance(rig.LastReconnectDelay);
        await rig.WaitReconnectScheduledAsync();
        Assert.InRange(rig.LastReconnectDelay, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2));

        // Thirty presses with a 16-message queue and no broker: every press is handled, the excess is dropped and counted.
        for (var i = 0; i < 30; i++)
        {
            rig.Station.Board.PressButton("button1");
        }

        Assert.Equal(30, rig.Station.Log.Count(e => e.Message == "button button1 pressed"));
        Assert.True(rig.Bridge.Dropped > 0);
    }

    private static Task WaitForRelay(BridgeRig rig, string relay, bool energised)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Station.Board.RelayChanged += (_, e) =>
        {
            if (e.RelayId == relay && e.Energised == energised)
            {
                seen.TrySetResult();
            }
        };
        return seen.Task;
    }
}

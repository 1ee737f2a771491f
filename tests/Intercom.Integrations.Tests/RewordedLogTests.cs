using System.Text.Json;
using Intercom.Configuration;
using Intercom.Integrations.Tests.Broker;
using Intercom.Integrations.Webhooks;
using Intercom.Station.Events;

namespace Intercom.Integrations.Tests;

/// <summary>
/// Home automation does not depend on how the station words its log (issue #18): with every log line reworded, or with
/// no log line written at all, MQTT and webhooks publish the same events about the same button, relay and code entry.
/// </summary>
public sealed class RewordedLogTests
{
    private const string Alice = "sip:alice@pbx.example";

    public static TheoryData<string> Wordings() => ["reworded", "silent"];

    [Theory]
    [MemberData(nameof(Wordings))]
    public void The_feed_raises_the_same_events_whatever_the_log_says(string wording)
    {
        var shipped = Run(null, out var shippedLog);
        var other = Run(Formatter(wording), out var otherLog);

        Assert.Equal(
            [
                IntegrationEventNames.Doorbell, IntegrationEventNames.CallStarted, IntegrationEventNames.CallAnswered,
                IntegrationEventNames.CodeAccepted, IntegrationEventNames.DoorOpened,
                IntegrationEventNames.CodeRefused, IntegrationEventNames.CodeRefused, IntegrationEventNames.CodeRefused,
                IntegrationEventNames.Lockout, IntegrationEventNames.Tamper, IntegrationEventNames.DoorOpened,
                IntegrationEventNames.CallEnded,
            ],
            shipped.Select(e => e.Name));
        Assert.Equal(shipped.Select(Facts), other.Select(Facts));
        Assert.Equal("button1", shipped[0].Subject);
        Assert.Equal(("door", "resident"), (shipped[3].Subject, shipped[3].Entry));
        Assert.Equal("gate", shipped[10].Subject);

        // The other run really did word its log differently (or not at all).
        Assert.Contains(shippedLog, line => line == "button button1 pressed");
        if (wording == "silent")
        {
            Assert.Empty(otherLog);
        }
        else
        {
            Assert.All(otherLog, line => Assert.StartsWith("reworded ", line, StringComparison.Ordinal));
            Assert.Equal(shippedLog.Count, otherLog.Count);
        }
    }

    [Fact]
    public async Task Webhooks_post_the_same_bodies_apart_from_the_message_when_every_log_line_is_reworded()
    {
        var shipped = await PostedAsync(null);
        var reworded = await PostedAsync(Formatter("reworded"));

        Assert.Equal(["doorbell", "code_accepted", "door_opened"], shipped.Select(b => b.GetProperty("event_type").GetString()));
        Assert.Equal(shipped.Select(WithoutMessage), reworded.Select(WithoutMessage));
        Assert.Equal("button1", reworded[0].GetProperty("subject").GetString());
        Assert.Equal("door", reworded[1].GetProperty("subject").GetString());
        Assert.Equal("resident", reworded[1].GetProperty("entry").GetString());
        Assert.StartsWith("reworded ", reworded[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mqtt_publishes_the_doorbell_and_the_code_entry_when_no_log_line_is_written()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var rig = await BridgeRig.StartConnectedAsync(BridgeRig.Config(broker.Port), Formatter("silent"));
        await using var probe = await MqttProbe.ConnectAsync(broker.Port, [BridgeRig.Prefix + "/#"]);

        rig.Station.Board.PressButton("button1");
        rig.Station.Calls.Answer(Alice);
        rig.Station.Calls.Keys(rig.Station.Calls.LegTo(Alice), "1234");

        var doorbell = await probe.WaitForAsync(BridgeRig.Prefix + "/event/doorbell");
        using (var json = JsonDocument.Parse(doorbell.Payload))
        {
            Assert.Equal("doorbell", json.RootElement.GetProperty("event_type").GetString());
            Assert.Equal("button1", json.RootElement.GetProperty("subject").GetString());
        }

        var code = await probe.WaitForAsync(BridgeRig.Prefix + "/event/code_accepted");
        using (var json = JsonDocument.Parse(code.Payload))
        {
            Assert.Equal("door", json.RootElement.GetProperty("subject").GetString());
            Assert.Equal("resident", json.RootElement.GetProperty("entry").GetString());
        }

        await probe.WaitForAsync(BridgeRig.Prefix + "/relay/door", m => m.Payload == "ON");
        await probe.WaitForAsync(BridgeRig.Prefix + "/call_state", m => m.Payload == "in_call");
        Assert.Empty(rig.Station.Log);
    }

    private static StationEventFormatter? Formatter(string wording) => wording switch
    {
        "reworded" => new RewordingFormatter(),
        "silent" => new SilentFormatter(),
        _ => null,
    };

    private static (string, long, string?, string?) Facts(IntegrationEvent e) => (e.Name, e.Sequence, e.Subject, e.Entry);

    private static string WithoutMessage(JsonElement body)
    {
        var fields = body.EnumerateObject().Where(p => p.Name != "message").Select(p => $"{p.Name}={p.Value.GetRawText()}");
        return string.Join(";", fields);
    }

    // A visitor rings, the resident opens with their code, someone guesses three times and is locked out, the housing
    // is opened, the page opens the gate, the resident hangs up.
    private static List<IntegrationEvent> Run(StationEventFormatter? formatter, out List<string> log)
    {
        using var f = StationFixture.Create(c => c.CodeLock.MaxFailures = 3, formatter);
        using var feed = new StationFeed(f.Station, f.Board, [], f.Time);
        var events = new List<IntegrationEvent>();
        feed.EventRaised += (_, e) => events.Add(e);
        feed.Start();

        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        var call = f.Calls.LegTo(Alice);
        f.Calls.Keys(call, "1234");
        f.Calls.Keys(call, "0000" + "1111" + "2222");
        f.Board.SetTamper(true);
        f.Station.OpenRelay("gate", "web page");
        f.Calls.End(call);

        log = [.. f.Log.Select(e => e.Message)];
        return events;
    }

    private static async Task<List<JsonElement>> PostedAsync(StationEventFormatter? formatter)
    {
        await using var receiver = new WebhookReceiver();
        using var f = StationFixture.Create(formatter: formatter);
        using var feed = new StationFeed(f.Station, f.Board, [], f.Time);
        var endpoint = new WebhookEndpointConfig
        {
            Url = receiver.Url,
            Events = [IntegrationEventNames.Doorbell, IntegrationEventNames.CodeAccepted, IntegrationEventNames.DoorOpened],
        };
        await using var dispatcher = new WebhookDispatcher(new WebhooksConfig { Endpoints = [endpoint] }, "Front door", feed, f.Time);
        feed.Start();
        dispatcher.Start();

        f.Board.PressButton("button1");
        f.Calls.Answer(Alice);
        f.Calls.Keys(f.Calls.LegTo(Alice), "1234");

        var bodies = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            using var json = JsonDocument.Parse((await receiver.NextAsync()).Body);
            bodies.Add(json.RootElement.Clone());
        }

        return bodies;
    }

    /// <summary>Words every log line differently, so anything that read the wording would break.</summary>
    private sealed class RewordingFormatter : StationEventFormatter
    {
        private int _lines;

        public override string? Describe(DoorStationEvent e) => base.Describe(e) is null ? null : $"reworded {++_lines}";
    }

    /// <summary>Writes no line at all: the event log stays empty.</summary>
    private sealed class SilentFormatter : StationEventFormatter
    {
        public override string? Describe(DoorStationEvent e) => null;
    }
}

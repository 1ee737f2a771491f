using System.Text;
using Intercom.Integrations.Mqtt;

namespace Intercom.Integrations.Tests;

public sealed class MqttCommandTests
{
    private static readonly MqttTopics Topics = new("intercom/front", "homeassistant", "intercom-front");
    private static readonly string[] Relays = ["door", "gate", "light"];

    [Theory]
    [InlineData("intercom/front/command/open", "gate", MqttCommandKind.OpenRelay, "gate")]
    [InlineData("intercom/front/command/open", "", MqttCommandKind.OpenRelay, "door")]
    [InlineData("intercom/front/command/open", "  light\n", MqttCommandKind.OpenRelay, "light")]
    [InlineData("intercom/front/command/hangup", "", MqttCommandKind.HangUp, "")]
    [InlineData("intercom/front/command/hangup", "anything", MqttCommandKind.HangUp, "")]
    [InlineData("intercom/front/command/dial", "residents", MqttCommandKind.Dial, "residents")]
    [InlineData("intercom/front/command/dial", "sip:alice@pbx.example", MqttCommandKind.Dial, "sip:alice@pbx.example")]
    [InlineData("intercom/front/relay/gate/set", "UNLOCK", MqttCommandKind.UnlockRelay, "gate")]
    [InlineData("intercom/front/relay/gate/set", "LOCK", MqttCommandKind.ReleaseRelay, "gate")]
    [InlineData("intercom/front/relay/gate/set", "off", MqttCommandKind.ReleaseRelay, "gate")]
    [InlineData("intercom/front/relay/door/set", "HOLD", MqttCommandKind.HoldRelay, "door")]
    [InlineData("intercom/front/command/hold", "", MqttCommandKind.HoldRelay, "door")]
    [InlineData("intercom/front/command/hold", "gate", MqttCommandKind.HoldRelay, "gate")]
    [InlineData("intercom/front/command/release", "", MqttCommandKind.ReleaseRelay, "door")]
    [InlineData("intercom/front/command/release", "light", MqttCommandKind.ReleaseRelay, "light")]
    [InlineData("intercom/front/relay/door/set", "open", MqttCommandKind.OpenRelay, "door")]
    [InlineData("intercom/front/relay/door/set", "PRESS", MqttCommandKind.OpenRelay, "door")]
    [InlineData("intercom/front/relay/door/set", "ON", MqttCommandKind.OpenRelay, "door")]
    public void Accepts(string topic, string payload, MqttCommandKind kind, string argument)
    {
        Assert.True(MqttCommand.TryParse(Topics, Relays, "door", topic, Encoding.UTF8.GetBytes(payload), out var command, out var refusal), refusal);
        Assert.Equal(new MqttCommand(kind, argument), command);
    }

    [Theory]
    [InlineData("intercom/front/command/open", "garage", "no such relay")]
    [InlineData("intercom/front/command/open", "Door", "no such relay")]
    [InlineData("intercom/front/command/dial", "", "dial needs a target (ring group id, SIP URI or extension)")]
    [InlineData("intercom/front/command/dial", "sip:a@b\u0007", "payload contains control characters")]
    [InlineData("intercom/front/relay/door/set", "maybe", "expected OPEN, UNLOCK, LOCK, HOLD, HOLD MINUTES, ON, OFF or PRESS")]
    [InlineData("intercom/front/relay/door/set", "HOLD 0", "a hold lasts 1 to 1440 minutes (or, without a number, until released)")]
    [InlineData("intercom/front/relay/door/set", "HOLD 1441", "a hold lasts 1 to 1440 minutes (or, without a number, until released)")]
    [InlineData("intercom/front/relay/door/set", "HOLD soon", "a hold lasts 1 to 1440 minutes (or, without a number, until released)")]
    [InlineData("intercom/front/command/hold", "door 99999", "a hold lasts 1 to 1440 minutes (or, without a number, until released)")]
    [InlineData("intercom/front/command/hold", "garage 5", "no such relay")]
    [InlineData("intercom/front/command/release", "garage", "no such relay")]
    [InlineData("intercom/front/relay/garage/set", "OPEN", "not a command topic")]
    [InlineData("intercom/front/command/reboot", "", "not a command topic")]
    [InlineData("intercom/other/command/open", "door", "not a command topic")]
    public void Refuses(string topic, string payload, string reason)
    {
        Assert.False(MqttCommand.TryParse(Topics, Relays, "door", topic, Encoding.UTF8.GetBytes(payload), out _, out var refusal));
        Assert.Equal(reason, refusal);
    }

    [Theory]
    [InlineData("intercom/front/relay/door/set", "HOLD 30")]
    [InlineData("intercom/front/relay/door/set", "hold  30 ")]
    [InlineData("intercom/front/command/hold", "door 30")]
    public void Hold_takes_minutes(string topic, string payload)
    {
        Assert.True(MqttCommand.TryParse(Topics, Relays, "door", topic, Encoding.UTF8.GetBytes(payload), out var command, out var refusal), refusal);
        Assert.Equal(new MqttCommand(MqttCommandKind.HoldRelay, "door", 30), command);
    }

    [Fact]
    public void Refuses_bad_utf8_and_oversized_payloads_without_throwing()
    {
        Assert.False(MqttCommand.TryParse(Topics, Relays, "door", Topics.CommandDial, [0x73, 0xC3, 0x28], out _, out var refusal));
        Assert.Equal("payload is not UTF-8", refusal);
        var big = new byte[MqttCommand.MaxPayloadBytes + 1];
        big.AsSpan().Fill((byte)'a');
        Assert.False(MqttCommand.TryParse(Topics, Relays, "door", Topics.CommandDial, big, out _, out refusal));
        Assert.Equal($"payload longer than {MqttCommand.MaxPayloadBytes} bytes", refusal);
    }

    [Fact]
    public void Relay_ids_that_are_not_topic_safe_still_map_back_to_their_relay()
    {
        string[] relays = ["front/door", "gate+1"];
        Assert.Equal("intercom/front/relay/front_door/set", Topics.RelaySet("front/door"));
        Assert.True(MqttCommand.TryParse(Topics, relays, "front/door", "intercom/front/relay/gate_1/set", "OPEN"u8, out var command, out _));
        Assert.Equal("gate+1", command.Argument);
    }
}

using System.Text;
using System.Text.Unicode;

namespace Intercom.Integrations.Mqtt;

/// <summary>A command received over MQTT, checked: topic known, payload bounded, valid UTF-8, relay known.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Argument">The relay id (open) or the target (dial); empty for hang up.</param>
public readonly record struct MqttCommand(MqttCommandKind Kind, string Argument)
{
    /// <summary>Largest payload read; a relay id or a SIP URI is far shorter.</summary>
    public const int MaxPayloadBytes = 256;

    /// <summary>
    /// Reads a command from a topic and payload. Never throws for what arrives from the network: a refusal says why.
    /// </summary>
    /// <param name="topics">The station's topics.</param>
    /// <param name="relayIds">The relays that exist.</param>
    /// <param name="doorRelay">The relay an empty "open" means.</param>
    /// <param name="topic">The message's topic.</param>
    /// <param name="payload">The message's payload.</param>
    /// <param name="command">The command, when the result is true.</param>
    /// <param name="refusal">Why not, when the result is false (for the log; never contains the payload of a secret).</param>
    public static bool TryParse(MqttTopics topics, IReadOnlyList<string> relayIds, string doorRelay, string topic, ReadOnlySpan<byte> payload,
        out MqttCommand command, out string refusal)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(relayIds);
        ArgumentNullException.ThrowIfNull(topic);
        command = default;
        if (payload.Length > MaxPayloadBytes)
        {
            refusal = $"payload longer than {MaxPayloadBytes} bytes";
            return false;
        }

        if (!Utf8.IsValid(payload))
        {
            refusal = "payload is not UTF-8";
            return false;
        }

        var text = Encoding.UTF8.GetString(payload).Trim();
        if (text.Any(char.IsControl))
        {
            refusal = "payload contains control characters";
            return false;
        }

        if (topic == topics.CommandHangUp)
        {
            command = new MqttCommand(MqttCommandKind.HangUp, "");
            refusal = "";
            return true;
        }

        if (topic == topics.CommandDial)
        {
            if (text.Length == 0)
            {
                refusal = "dial needs a target (ring group id, SIP URI or extension)";
                return false;
            }

            command = new MqttCommand(MqttCommandKind.Dial, text);
            refusal = "";
            return true;
        }

        if (topic == topics.CommandOpen)
        {
            var relay = text.Length == 0 ? doorRelay : text;
            return Open(relayIds, relay, out command, out refusal);
        }

        if (topics.TryParseRelaySet(topic, relayIds, out var relayId))
        {
            // Home Assistant's lock sends UNLOCK or OPEN, its button PRESS, a switch ON. Locking is what the relay does
            // by itself at the end of its pulse, so LOCK and OFF ask for nothing.
            if (text.Equals("OPEN", StringComparison.OrdinalIgnoreCase) || text.Equals("UNLOCK", StringComparison.OrdinalIgnoreCase)
                || text.Equals("ON", StringComparison.OrdinalIgnoreCase) || text.Equals("PRESS", StringComparison.OrdinalIgnoreCase))
            {
                command = new MqttCommand(MqttCommandKind.OpenRelay, relayId);
                refusal = "";
                return true;
            }

            refusal = text.Equals("LOCK", StringComparison.OrdinalIgnoreCase) || text.Equals("OFF", StringComparison.OrdinalIgnoreCase)
                ? "relays release by themselves at the end of their pulse"
                : "expected OPEN, UNLOCK, ON or PRESS";
            return false;
        }

        refusal = "not a command topic";
        return false;
    }

    private static bool Open(IReadOnlyList<string> relayIds, string relay, out MqttCommand command, out string refusal)
    {
        foreach (var id in relayIds)
        {
            if (string.Equals(id, relay, StringComparison.Ordinal))
            {
                command = new MqttCommand(MqttCommandKind.OpenRelay, id);
                refusal = "";
                return true;
            }
        }

        command = default;
        refusal = "no such relay";
        return false;
    }
}

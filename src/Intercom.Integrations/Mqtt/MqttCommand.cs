using System.Text;
using System.Text.Unicode;

namespace Intercom.Integrations.Mqtt;

/// <summary>A command received over MQTT, checked: topic known, payload bounded, valid UTF-8, relay known.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Argument">The relay id (open, unlock, hold, release) or the target (dial); empty for hang up.</param>
/// <param name="Minutes">For a hold: how long (1 to <see cref="MaxHoldMinutes"/>); null: until released.</param>
public readonly record struct MqttCommand(MqttCommandKind Kind, string Argument, int? Minutes = null)
{
    /// <summary>The longest "unlock for N minutes": a day.</summary>
    public const int MaxHoldMinutes = 1440;

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
            return Relay(relayIds, relay, MqttCommandKind.OpenRelay, null, out command, out refusal);
        }

        if (topic == topics.CommandHold)
        {
            // "ID" or "ID MINUTES"; empty: the door relay until released.
            var space = text.LastIndexOf(' ');
            int? minutes = null;
            if (space > 0 && char.IsAsciiDigit(text[^1]))
            {
                if (!TryMinutes(text[(space + 1)..], out minutes, out refusal))
                {
                    return false;
                }

                text = text[..space].TrimEnd();
            }

            return Relay(relayIds, text.Length == 0 ? doorRelay : text, MqttCommandKind.HoldRelay, minutes, out command, out refusal);
        }

        if (topic == topics.CommandRelease)
        {
            return Relay(relayIds, text.Length == 0 ? doorRelay : text, MqttCommandKind.ReleaseRelay, null, out command, out refusal);
        }

        if (topics.TryParseRelaySet(topic, relayIds, out var relayId))
        {
            // Home Assistant's lock sends UNLOCK, LOCK or OPEN, its button PRESS, a switch ON or OFF. OPEN, PRESS and ON
            // pulse; UNLOCK holds a relay that may be held and pulses one that may not; LOCK and OFF release it now;
            // HOLD (optionally with minutes) holds it.
            refusal = "";
            if (text.Equals("OPEN", StringComparison.OrdinalIgnoreCase) || text.Equals("ON", StringComparison.OrdinalIgnoreCase)
                || text.Equals("PRESS", StringComparison.OrdinalIgnoreCase))
            {
                command = new MqttCommand(MqttCommandKind.OpenRelay, relayId);
                return true;
            }

            if (text.Equals("UNLOCK", StringComparison.OrdinalIgnoreCase))
            {
                command = new MqttCommand(MqttCommandKind.UnlockRelay, relayId);
                return true;
            }

            if (text.Equals("LOCK", StringComparison.OrdinalIgnoreCase) || text.Equals("OFF", StringComparison.OrdinalIgnoreCase))
            {
                command = new MqttCommand(MqttCommandKind.ReleaseRelay, relayId);
                return true;
            }

            if (text.Equals("HOLD", StringComparison.OrdinalIgnoreCase))
            {
                command = new MqttCommand(MqttCommandKind.HoldRelay, relayId);
                return true;
            }

            if (text.StartsWith("HOLD ", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryMinutes(text[5..].Trim(), out var minutes, out refusal))
                {
                    return false;
                }

                command = new MqttCommand(MqttCommandKind.HoldRelay, relayId, minutes);
                return true;
            }

            refusal = "expected OPEN, UNLOCK, LOCK, HOLD, HOLD MINUTES, ON, OFF or PRESS";
            return false;
        }

        refusal = "not a command topic";
        return false;
    }

    private static bool TryMinutes(string text, out int? minutes, out string refusal)
    {
        minutes = null;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value is < 1 or > MaxHoldMinutes)
        {
            refusal = $"a hold lasts 1 to {MaxHoldMinutes} minutes (or, without a number, until released)";
            return false;
        }

        minutes = value;
        refusal = "";
        return true;
    }

    private static bool Relay(IReadOnlyList<string> relayIds, string relay, MqttCommandKind kind, int? minutes, out MqttCommand command, out string refusal)
    {
        foreach (var id in relayIds)
        {
            if (string.Equals(id, relay, StringComparison.Ordinal))
            {
                command = new MqttCommand(kind, id, minutes);
                refusal = "";
                return true;
            }
        }

        command = default;
        refusal = "no such relay";
        return false;
    }
}

using System.Text;

namespace Intercom.Configuration;

/// <summary>
/// How an id (a relay's, an account's) becomes one MQTT topic level (MQTT 3.1.1 §4.7: '/', '+' and '#' have meanings
/// there): letters, digits, '-' and '_' kept, anything else '_'. Here, beside the validator, because two ids that become
/// the same level share a command topic, and the validator has to refuse that (<see cref="ConfigValidator"/>).
/// </summary>
public static class MqttTopicLevel
{
    public static string Of(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length == 0)
        {
            return "_";
        }

        var text = new StringBuilder(id.Length);
        foreach (var c in id)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return text.ToString();
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Intercom.Configuration.Applying;

/// <summary>
/// The configuration file as named sections, the unit in which changes are applied and reported: the top-level
/// properties ("name", "accounts", "media", "audio", "mqtt", "webhooks", "web"), "sip" split into its parts ("sip.listen",
/// "sip.incomingAuth", ...) so a restart notice names what changed, and "station" without the parts read once at start
/// (its GPIO lines and the event log's file: "station.board", "station.relays", "station.eventLog").
/// </summary>
public static class ConfigSections
{
    /// <summary>Parts of "station" wired at start (GPIO lines, the event log's file and size).</summary>
    public static readonly IReadOnlyList<string> StationWiring = ["board", "relays", "eventLog"];

    public static JsonObject Of(IntercomConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var root = JsonSerializer.SerializeToNode(config, ConfigJsonContext.Default.IntercomConfig)!.AsObject();
        if (root["sip"] is JsonObject sip)
        {
            root.Remove("sip");
            foreach (var name in sip.Select(p => p.Key).ToList())
            {
                sip.Remove(name, out var value);
                root["sip." + name] = value;
            }
        }

        if (root["station"] is JsonObject station)
        {
            foreach (var part in StationWiring)
            {
                if (station.Remove(part, out var value))
                {
                    root["station." + part] = value;
                }
            }
        }

        return root;
    }
}

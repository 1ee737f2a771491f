using System.Text.Json.Nodes;

namespace Intercom.Configuration.Applying;

/// <summary>
/// What changed between two configurations, section by section (<see cref="ConfigSections"/>): computed once for a change
/// and handed to every part that applies one, so "did this section change" has one answer.
/// </summary>
public sealed class ConfigDiff
{
    private readonly HashSet<string> changed;

    private ConfigDiff(HashSet<string> changed) => this.changed = changed;

    /// <summary>The names of the sections that differ, in the file's order.</summary>
    public IReadOnlySet<string> Changed => changed;

    public static ConfigDiff Between(IntercomConfig before, IntercomConfig after) => Between(ConfigSections.Of(before), ConfigSections.Of(after));

    internal static ConfigDiff Between(JsonObject before, JsonObject after)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in after)
        {
            if (!JsonNode.DeepEquals(value, before.TryGetPropertyValue(name, out var was) ? was : null))
            {
                changed.Add(name);
            }
        }

        foreach (var (name, _) in before)
        {
            if (!after.ContainsKey(name))
            {
                changed.Add(name);
            }
        }

        return new ConfigDiff(changed);
    }

    /// <summary>Whether <paramref name="section"/> changed ("accounts", "sip.incomingAuth", "station").</summary>
    public bool Has(string section) => changed.Contains(section);
}

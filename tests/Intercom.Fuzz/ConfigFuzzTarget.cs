using Intercom.Configuration;
using Intercom.Station.Configuration;

namespace Intercom.Fuzz;

/// <summary>
/// Fuzz target "config": the configuration file as the station reads it at start and as the web page's "replace
/// configuration" receives it — <see cref="ConfigLoader.TryParse"/> (JSON, then validation). Any exception escaping is a
/// finding (a bad file must give an error, never a crash); so is a configuration that loads but whose saved form does not,
/// and one that loads but fails in what a start builds from it (<see cref="StationStartPath"/>).
/// </summary>
internal static class ConfigFuzzTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        if (!ConfigLoader.TryParse(data, out IntercomConfig? config, out _))
        {
            return;
        }

        string saved = ConfigLoader.Serialize(config!);
        if (!ConfigLoader.TryParse(System.Text.Encoding.UTF8.GetBytes(saved), out _, out IReadOnlyList<ConfigError> errors))
        {
            throw new InvalidOperationException("A loaded configuration did not load after saving: " + string.Join("; ", errors));
        }

        _ = StationStartPath.Build(config!);
    }
}

using Intercom.Station.Configuration;

namespace Intercom.Configuration.Applying;

/// <summary>The outcome of one configuration change: refused with field errors, or saved with what applied live and what waits for a restart.</summary>
public sealed record ConfigApplyResult(IReadOnlyList<ConfigError> Errors, IReadOnlyList<string> Applied, IReadOnlyList<string> RestartRequired)
{
    public bool Accepted => Errors.Count == 0;

    public static ConfigApplyResult Refused(IReadOnlyList<ConfigError> errors) => new(errors, [], []);
}

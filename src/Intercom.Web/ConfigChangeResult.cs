using Intercom.Station.Configuration;

namespace Intercom.Web;

/// <summary>The outcome of a new configuration from the page or PUT /api/config.</summary>
/// <param name="Errors">Why it was refused, field by field; empty when it was accepted and saved.</param>
/// <param name="Applied">Sections that took effect at once.</param>
/// <param name="RestartRequired">Sections saved that take effect at the next start.</param>
public sealed record ConfigChangeResult(IReadOnlyList<ConfigError> Errors, IReadOnlyList<string> Applied, IReadOnlyList<string> RestartRequired)
{
    public bool Accepted => Errors.Count == 0;

    public static ConfigChangeResult Refused(IReadOnlyList<ConfigError> errors) => new(errors, [], []);
}

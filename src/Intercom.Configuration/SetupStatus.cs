namespace Intercom.Configuration;

/// <summary>
/// What a valid configuration still lacks for the station to do its job — the state the package's configuration starts
/// in: it opens nothing and calls nobody until the installer sets these. Said at start in the journal (a warning) and in
/// the web status (notConfigured), so a station that "does nothing" says why.
/// </summary>
public static class SetupStatus
{
    /// <summary>One line per missing part, naming its field; empty when nothing is missing.</summary>
    public static IReadOnlyList<string> Missing(IntercomConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var missing = new List<string>();
        var station = config.Station;
        if (station.Codes.Count == 0 && station.Keypad.LocalCodes.Count == 0)
        {
            missing.Add("no door codes (station.codes): nobody can open the door with a code");
        }

        if (!station.RingGroups.Exists(g => g.Targets.Count > 0 || g.Fallback.Count > 0))
        {
            missing.Add("no ring group targets (station.ringGroups[].targets): the call button calls nobody");
        }

        if (config.Accounts.Count == 0)
        {
            missing.Add("no SIP account (accounts): the station is registered nowhere and calls only full SIP URIs");
        }

        return missing;
    }
}

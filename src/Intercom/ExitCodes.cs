namespace Intercom;

/// <summary>Process exit codes (DESIGN.md "External interfaces"); systemd and scripts rely on them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    public const int RuntimeFailure = 1;

    public const int BadArgumentsOrConfig = 2;

    /// <summary>A signed release was installed: the station stops so its supervisor starts it again, into the new version.</summary>
    public const int RestartIntoUpdate = 75;

    /// <summary>An update on trial did not become ready and registered in time: the launcher rolls back at the next start.</summary>
    public const int UpdateTrialFailed = 76;
}

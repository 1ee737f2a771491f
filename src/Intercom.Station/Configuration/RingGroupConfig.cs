namespace Intercom.Station.Configuration;

/// <summary>Whom a button calls, how, and for how long.</summary>
public sealed class RingGroupConfig
{
    /// <summary>Id referenced by buttons, schedules and the keypad dial map.</summary>
    public string Id { get; set; } = "";

    /// <summary>
    /// The id of the account (accounts[].id) the group's calls go out through; null: the account whose server the target
    /// is on, else the first. A call that fails on the account's side (unreachable, 403, 5xx) falls over to the next one.
    /// </summary>
    public string? Account { get; set; }

    /// <summary>SIP URIs or extensions, in order.</summary>
    public List<string> Targets { get; set; } = [];

    /// <summary>All at once or one after another.</summary>
    public RingMode Mode { get; set; } = RingMode.Parallel;

    /// <summary>Seconds each step rings before the next (a step is all targets in parallel mode, one in sequential).</summary>
    public int RingTimeoutSeconds { get; set; } = 30;

    /// <summary>Rung all at once when every target failed, was busy or did not answer (a concierge, a mobile).</summary>
    public List<string> Fallback { get; set; } = [];

    /// <summary>A connected call is ended after this many seconds.</summary>
    public int MaxCallSeconds { get; set; } = 120;

    /// <summary>What a call button does during this group's call.</summary>
    public ButtonInCallAction ButtonDuringCall { get; set; } = ButtonInCallAction.Ignore;

    /// <summary>
    /// This group with another account, for one call (a dial request that names its account); the configured group is
    /// left as it is. Written next to the properties so that a new one is copied too (RingGroupConfigTests checks all).
    /// </summary>
    public RingGroupConfig WithAccount(string? account) => new()
    {
        Id = Id,
        Account = account,
        Targets = Targets,
        Mode = Mode,
        RingTimeoutSeconds = RingTimeoutSeconds,
        Fallback = Fallback,
        MaxCallSeconds = MaxCallSeconds,
        ButtonDuringCall = ButtonDuringCall,
    };
}

namespace Intercom.Station.Configuration;

/// <summary>
/// Limits on guessing codes. Wrong codes are counted per caller — the keypad, one SIP source address (across all its
/// calls), or one call whose source is not known — and for the whole station. Each lockout of the same caller (or of
/// the station) lasts twice as long as the one before, up to <see cref="MaxLockoutSeconds"/>; a caller's count and
/// its doubling are forgotten after <see cref="ForgetAfterSeconds"/> without a wrong code or a lockout. A right code
/// clears no count.
/// </summary>
public sealed class CodeLockConfig
{
    /// <summary>Wrong codes from one caller (the keypad, a SIP source, a call) before that caller is locked out.</summary>
    public int MaxFailures { get; set; } = 3;

    /// <summary>How long a caller's first lockout lasts, in seconds; each further one doubles.</summary>
    public int LockoutSeconds { get; set; } = 60;

    /// <summary>Wrong codes across all callers before the whole station stops accepting codes.</summary>
    public int StationMaxFailures { get; set; } = 10;

    /// <summary>How long the first station-wide lockout lasts, in seconds; each further one doubles.</summary>
    public int StationLockoutSeconds { get; set; } = 300;

    /// <summary>
    /// The longest a doubled lockout (a caller's or the station's) may last, in seconds. A first lockout configured
    /// longer than this stays as configured and is not doubled; set it to the first lockout's length for no doubling.
    /// </summary>
    public int MaxLockoutSeconds { get; set; } = 3600;

    /// <summary>
    /// A caller's (or the station's) wrong codes and lockout doubling are forgotten after this many seconds without a
    /// wrong code and without a lockout in force.
    /// </summary>
    public int ForgetAfterSeconds { get; set; } = 3600;

    /// <summary>Digits further apart than this start a new attempt, in milliseconds.</summary>
    public int InterDigitTimeoutMs { get; set; } = 5000;
}

namespace Intercom.Station.Configuration;

/// <summary>Limits on guessing codes, per call (or the keypad) and for the whole station.</summary>
public sealed class CodeLockConfig
{
    /// <summary>Wrong codes in one call (or at the keypad) before that path is locked out.</summary>
    public int MaxFailures { get; set; } = 3;

    /// <summary>How long a call (or the keypad) stays locked out, in seconds.</summary>
    public int LockoutSeconds { get; set; } = 60;

    /// <summary>Wrong codes across all paths before the whole station stops accepting codes.</summary>
    public int StationMaxFailures { get; set; } = 10;

    /// <summary>How long the station-wide lockout lasts, in seconds.</summary>
    public int StationLockoutSeconds { get; set; } = 300;

    /// <summary>Digits further apart than this start a new attempt, in milliseconds.</summary>
    public int InterDigitTimeoutMs { get; set; } = 5000;
}

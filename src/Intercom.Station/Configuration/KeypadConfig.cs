namespace Intercom.Station.Configuration;

/// <summary>What the keypad does: local access codes and apartment dialling.</summary>
public sealed class KeypadConfig
{
    /// <summary>Codes typed at the keypad (separate from the DTMF codes residents key in a call).</summary>
    public List<CodeConfig> LocalCodes { get; set; } = [];

    /// <summary>Apartment number → target, dialled with the call key.</summary>
    public List<DialEntryConfig> DialMap { get; set; } = [];

    /// <summary>The key that dials the typed apartment number.</summary>
    public string CallKey { get; set; } = "#";

    /// <summary>The key that clears what was typed.</summary>
    public string ClearKey { get; set; } = "*";

    /// <summary>Seconds a dialled target rings when it is a URI, not a ring group.</summary>
    public int RingTimeoutSeconds { get; set; } = 30;
}

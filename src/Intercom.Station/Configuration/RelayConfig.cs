namespace Intercom.Station.Configuration;

/// <summary>One relay output.</summary>
public sealed class RelayConfig
{
    /// <summary>Id used by codes, the API and the log ("door", "gate", "light").</summary>
    public string Id { get; set; } = "";

    /// <summary>BCM GPIO number.</summary>
    public int Pin { get; set; }

    /// <summary>True for low-level-trigger relay modules.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>How long one open command energises the relay, in milliseconds.</summary>
    public int PulseMs { get; set; } = 3000;

    /// <summary>Hard limit of one energised period in milliseconds, however often open is repeated.</summary>
    public int MaxMs { get; set; } = 10000;
}

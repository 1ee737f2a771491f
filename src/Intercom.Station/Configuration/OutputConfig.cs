namespace Intercom.Station.Configuration;

/// <summary>One output pin (status LED).</summary>
public sealed class OutputConfig
{
    /// <summary>BCM GPIO number.</summary>
    public int Pin { get; set; }

    /// <summary>True when a low level lights the LED.</summary>
    public bool ActiveLow { get; set; }
}

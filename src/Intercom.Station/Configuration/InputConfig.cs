using Intercom.Hardware;

namespace Intercom.Station.Configuration;

/// <summary>One input pin and how it is read.</summary>
public sealed class InputConfig
{
    /// <summary>BCM GPIO number.</summary>
    public int Pin { get; set; }

    /// <summary>True for a switch to ground (active reads low).</summary>
    public bool ActiveLow { get; set; } = true;

    /// <summary>Internal pull resistor; must pull to the inactive level, or None with an external resistor.</summary>
    public PinPull Pull { get; set; } = PinPull.Up;

    /// <summary>Debounce in milliseconds; null takes the board's default.</summary>
    public int? DebounceMs { get; set; }
}

namespace Intercom.Hardware;

/// <summary>The pull resistor an input pin is configured with inside the SoC.</summary>
public enum PinPull
{
    /// <summary>No internal resistor: the circuit has its own (or the pin has a fixed one, like BCM 2/3).</summary>
    None,

    /// <summary>Internal pull-up: the usual choice for a switch to ground (active-low).</summary>
    Up,

    /// <summary>Internal pull-down: for a switch to 3.3 V (active-high).</summary>
    Down,
}

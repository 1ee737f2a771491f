namespace Intercom.Hardware;

/// <summary>How a status LED is shown.</summary>
public enum LedState
{
    /// <summary>Dark.</summary>
    Off,

    /// <summary>Lit.</summary>
    On,

    /// <summary>Blinking at 1 Hz (half a second on, half a second off).</summary>
    Blink,
}

using Intercom.Hardware;

namespace Intercom.Station.Configuration;

/// <summary>
/// The electrical side of the station: which fixed inputs, LEDs and keypad are fitted and on which pins.
/// Relays and call buttons are listed in <see cref="StationConfig.Relays"/> and <see cref="StationConfig.Buttons"/>.
/// </summary>
public sealed class BoardConfig
{
    /// <summary>GPIO character device number (gpiochipN) for libgpiod.</summary>
    public int GpioChip { get; set; }

    /// <summary>Debounce for inputs that do not set their own, in milliseconds.</summary>
    public int DebounceMs { get; set; } = 50;

    /// <summary>Two presses within this make a double press, in milliseconds (at least 3 × debounce).</summary>
    public int DoublePressMs { get; set; } = 600;

    /// <summary>Holding a button this long makes a long press, in milliseconds.</summary>
    public int LongPressMs { get; set; } = 2000;

    /// <summary>The request-to-exit button inside; null when not fitted.</summary>
    public InputConfig? ExitButton { get; set; } = new() { Pin = DefaultPinMap.ExitButton };

    /// <summary>The door contact (reed): active = door open. Default: reed closed to ground while the door is closed.</summary>
    public InputConfig? DoorContact { get; set; } = new() { Pin = DefaultPinMap.DoorContact, ActiveLow = false, Pull = PinPull.Up };

    /// <summary>The door counts as held open after this many seconds open.</summary>
    public int DoorHeldOpenSeconds { get; set; } = 60;

    /// <summary>The enclosure tamper switch: active = housing open. Default: closed to ground while the housing is shut.</summary>
    public InputConfig? Tamper { get; set; } = new() { Pin = DefaultPinMap.Tamper, ActiveLow = false, Pull = PinPull.None };

    /// <summary>The status LEDs.</summary>
    public LedsConfig Leds { get; set; } = new();

    /// <summary>The matrix keypad wiring; null when no keypad is fitted.</summary>
    public KeypadWiringConfig? Keypad { get; set; }
}

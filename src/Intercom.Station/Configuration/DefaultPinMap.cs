namespace Intercom.Station.Configuration;

/// <summary>
/// The default wiring, in one place: the configuration defaults use it and hardware/README.md documents it (a test
/// checks the two agree and that no pin is used twice). BCM numbering. Chosen to keep clear of the pins other
/// parts of a door station need: I2S audio (BCM 18–21), the UART console (14/15) and the HAT EEPROM (0/1).
/// Relays sit on BCM 23–25 because those are pulled down at power-on, so an active-high relay driver stays off
/// while the Pi boots and after the process is gone.
/// </summary>
public static class DefaultPinMap
{
    /// <summary>Call button 1 (active-low, internal pull-up).</summary>
    public const int CallButton = 17;

    /// <summary>Request-to-exit button.</summary>
    public const int ExitButton = 27;

    /// <summary>Door contact (reed; closed when the door is closed).</summary>
    public const int DoorContact = 22;

    /// <summary>Tamper switch (BCM 3 has a fixed 1.8 kΩ pull-up on the board: a cut wire reads as tamper).</summary>
    public const int Tamper = 3;

    /// <summary>Door strike relay.</summary>
    public const int DoorRelay = 23;

    /// <summary>Gate relay.</summary>
    public const int GateRelay = 24;

    /// <summary>Light relay.</summary>
    public const int LightRelay = 25;

    /// <summary>Status LED: registered.</summary>
    public const int LedRegistered = 5;

    /// <summary>Status LED: calling.</summary>
    public const int LedCalling = 6;

    /// <summary>Status LED: in call.</summary>
    public const int LedInCall = 13;

    /// <summary>Status LED: door open.</summary>
    public const int LedDoorOpen = 16;

    /// <summary>Status LED: fault.</summary>
    public const int LedFault = 26;

    /// <summary>Keypad rows (driven), top to bottom.</summary>
    public static IReadOnlyList<int> KeypadRows { get; } = [4, 12, 7, 8];

    /// <summary>Keypad columns (read, pull-down), left to right.</summary>
    public static IReadOnlyList<int> KeypadColumns { get; } = [9, 10, 11];

    /// <summary>Every default assignment as (function, BCM pin), in the order of the wiring guide's table.</summary>
    public static IReadOnlyList<KeyValuePair<string, int>> Entries { get; } =
    [
        new("Call button 1", CallButton),
        new("Exit button", ExitButton),
        new("Door contact", DoorContact),
        new("Tamper switch", Tamper),
        new("Relay: door strike", DoorRelay),
        new("Relay: gate", GateRelay),
        new("Relay: light", LightRelay),
        new("LED: registered", LedRegistered),
        new("LED: calling", LedCalling),
        new("LED: in call", LedInCall),
        new("LED: door open", LedDoorOpen),
        new("LED: fault", LedFault),
        new("Keypad row 1", KeypadRows[0]),
        new("Keypad row 2", KeypadRows[1]),
        new("Keypad row 3", KeypadRows[2]),
        new("Keypad row 4", KeypadRows[3]),
        new("Keypad column 1", KeypadColumns[0]),
        new("Keypad column 2", KeypadColumns[1]),
        new("Keypad column 3", KeypadColumns[2]),
    ];

    /// <summary>The physical header pin (1–40) of a BCM GPIO on the 40-pin header, or -1.</summary>
    public static int PhysicalPin(int bcm) => bcm switch
    {
        0 => 27, 1 => 28, 2 => 3, 3 => 5, 4 => 7, 5 => 29, 6 => 31, 7 => 26, 8 => 24, 9 => 21,
        10 => 19, 11 => 23, 12 => 32, 13 => 33, 14 => 8, 15 => 10, 16 => 36, 17 => 11, 18 => 12, 19 => 35,
        20 => 38, 21 => 40, 22 => 15, 23 => 16, 24 => 18, 25 => 22, 26 => 37, 27 => 13,
        _ => -1,
    };
}

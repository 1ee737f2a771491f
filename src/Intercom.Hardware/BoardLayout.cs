namespace Intercom.Hardware;

/// <summary>
/// What is connected where: the hardware description a board is built from. The station's configuration maps to
/// this; the board knows nothing of ring groups or codes.
/// </summary>
public sealed class BoardLayout
{
    /// <summary>Buttons and contacts.</summary>
    public IReadOnlyList<InputPinLayout> Inputs { get; init; } = [];

    /// <summary>Relay outputs.</summary>
    public IReadOnlyList<RelayLayout> Relays { get; init; } = [];

    /// <summary>Status LED outputs.</summary>
    public IReadOnlyList<LedLayout> Leds { get; init; } = [];

    /// <summary>The matrix keypad, if one is fitted.</summary>
    public KeypadLayout? Keypad { get; init; }

    /// <summary>The door contact reports the door held open when it stays open longer than this.</summary>
    public TimeSpan DoorHeldOpenLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Two presses within this window make a double press (at least three debounce times).</summary>
    public TimeSpan DoublePressWindow { get; init; } = TimeSpan.FromMilliseconds(600);

    /// <summary>A button held this long makes a long press.</summary>
    public TimeSpan LongPressTime { get; init; } = TimeSpan.FromSeconds(2);
}

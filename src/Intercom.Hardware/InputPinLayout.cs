namespace Intercom.Hardware;

/// <summary>One input on the board: what it is, its BCM pin and how the pin is read.</summary>
/// <param name="Kind">What the input is wired to.</param>
/// <param name="Id">Its id (call buttons) or a fixed name ("exit", "door", "tamper").</param>
/// <param name="Pin">BCM GPIO number.</param>
/// <param name="ActiveLow">True when the active state reads as low (switch to ground with a pull-up).</param>
/// <param name="Pull">The internal pull resistor to configure.</param>
/// <param name="Debounce">Edges closer together than this are contact bounce and are ignored.</param>
public sealed record InputPinLayout(InputKind Kind, string Id, int Pin, bool ActiveLow, PinPull Pull, TimeSpan Debounce);

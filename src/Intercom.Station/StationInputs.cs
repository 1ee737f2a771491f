namespace Intercom.Station;

/// <summary>Which of the fixed inputs the board has (station.board, read at start): what home automation can be told about.</summary>
/// <param name="DoorContact">A door contact (door open, held open, forced open).</param>
/// <param name="ExitButton">A request-to-exit button.</param>
/// <param name="Tamper">A tamper switch.</param>
/// <param name="Keypad">A keypad (its lockout).</param>
public sealed record StationInputs(bool DoorContact, bool ExitButton, bool Tamper, bool Keypad);

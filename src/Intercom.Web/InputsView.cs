namespace Intercom.Web;

/// <summary>The station's inputs on the status page.</summary>
/// <param name="DoorOpen">The door contact reports the door open.</param>
/// <param name="Tamper">The tamper switch is active.</param>
/// <param name="CodeEntryLockedOut">Code entry is locked out station-wide after wrong codes.</param>
/// <param name="DoorHeldOpen">The door has stayed open past board.doorHeldOpenSeconds.</param>
/// <param name="DoorForcedOpen">The door opened without the door relay (until it closes).</param>
/// <param name="KeypadLockedOut">The keypad is locked out after wrong codes.</param>
public sealed record InputsView(bool DoorOpen, bool Tamper, bool CodeEntryLockedOut, bool DoorHeldOpen = false, bool DoorForcedOpen = false,
    bool KeypadLockedOut = false);

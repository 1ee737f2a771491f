namespace Intercom.Hardware;

/// <summary>What an input on the board is wired to.</summary>
public enum InputKind
{
    /// <summary>A visitor's call button (one per apartment or group).</summary>
    CallButton,

    /// <summary>The request-to-exit button inside the door.</summary>
    ExitButton,

    /// <summary>The door contact (reed switch): active means the door is open.</summary>
    DoorContact,

    /// <summary>The enclosure tamper switch: active means the housing is open or the wire is cut.</summary>
    Tamper,
}

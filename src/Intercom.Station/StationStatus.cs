namespace Intercom.Station;

/// <summary>A snapshot of the station for the web page and the API (GET /api/status).</summary>
/// <param name="CallState">Idle, calling or in a call.</param>
/// <param name="Registered">SIP registration as last reported by the app; null before the first report.</param>
/// <param name="DoorOpen">The door contact reports the door open.</param>
/// <param name="TamperActive">The tamper switch is active.</param>
/// <param name="CodeEntryLockedOut">The station-wide code lockout is in force.</param>
/// <param name="EnergisedRelays">Ids of the relays energised now.</param>
/// <param name="HeldRelays">The relays held open on purpose now (a subset of the energised ones), with who holds them.</param>
public sealed record StationStatus(
    StationCallState CallState,
    bool? Registered,
    bool DoorOpen,
    bool TamperActive,
    bool CodeEntryLockedOut,
    IReadOnlyList<string> EnergisedRelays,
    IReadOnlyList<RelayHold>? HeldRelays = null)
{
    /// <summary>The door has stayed open longer than board.doorHeldOpenSeconds (until it closes).</summary>
    public bool DoorHeldOpen { get; init; }

    /// <summary>The door opened without the door relay energised (forced, or a key), until it closes.</summary>
    public bool DoorForcedOpen { get; init; }

    /// <summary>The keypad is locked out after wrong codes (its own lockout).</summary>
    public bool KeypadLockedOut { get; init; }
}

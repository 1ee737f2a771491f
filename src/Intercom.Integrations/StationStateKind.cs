namespace Intercom.Integrations;

/// <summary>The parts of the station's state that are published (retained) and can change.</summary>
public enum StationStateKind
{
    /// <summary>Idle, calling or in a call.</summary>
    CallState,

    /// <summary>One relay energised or released.</summary>
    Relay,

    /// <summary>One relay held open on purpose, or not (relays[].mode Hold).</summary>
    RelayHold,

    /// <summary>One of the station's inputs (<see cref="StationFeed.InputNames"/>): door contact, held open, forced open, tamper, lockouts.</summary>
    Input,

    /// <summary>One account registered or not.</summary>
    Registration,
}

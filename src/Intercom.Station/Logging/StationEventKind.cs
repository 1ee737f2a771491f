namespace Intercom.Station.Logging;

/// <summary>The kinds of events the station logs (shown on the page, published over MQTT/webhooks).</summary>
public enum StationEventKind
{
    /// <summary>Station started or stopped.</summary>
    Station,

    /// <summary>A call button was pressed.</summary>
    Button,

    /// <summary>A call was placed, rang, was answered or ended.</summary>
    Call,

    /// <summary>An incoming call was accepted or rejected.</summary>
    Incoming,

    /// <summary>A relay was energised or released.</summary>
    Relay,

    /// <summary>A code was accepted.</summary>
    CodeAccepted,

    /// <summary>A code was wrong (the digits are never logged).</summary>
    CodeRejected,

    /// <summary>A path or the station was locked out after wrong codes.</summary>
    Lockout,

    /// <summary>Exit button, door contact, door held open.</summary>
    Door,

    /// <summary>Tamper switch.</summary>
    Tamper,

    /// <summary>SIP registration state (reported by the app).</summary>
    Registration,

    /// <summary>Keypad dialling.</summary>
    Keypad,
}

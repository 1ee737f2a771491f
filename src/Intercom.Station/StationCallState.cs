namespace Intercom.Station;

/// <summary>What the station is doing on the phone, for the page and the API.</summary>
public enum StationCallState
{
    /// <summary>No call.</summary>
    Idle,

    /// <summary>A visitor's call is ringing its targets.</summary>
    Calling,

    /// <summary>A call (outgoing or incoming) is connected.</summary>
    InCall,
}

namespace Intercom.Web;

/// <summary>What became of a request to hold a relay open.</summary>
public enum RelayHoldResult
{
    /// <summary>Queued to the station: the relay is held (the status and the events show it).</summary>
    Holding,

    /// <summary>No relay has this id.</summary>
    UnknownRelay,

    /// <summary>The relay only pulses (relays[].mode is not Hold, or was not at start).</summary>
    PulseOnly,
}

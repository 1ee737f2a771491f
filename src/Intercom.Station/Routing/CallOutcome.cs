namespace Intercom.Station.Routing;

/// <summary>How a ring group call ended.</summary>
public enum CallOutcome
{
    /// <summary>Answered, then hung up by either side.</summary>
    Completed,

    /// <summary>Answered, then ended by the maximum call time.</summary>
    MaxCallTime,

    /// <summary>Every step rang out without an answer.</summary>
    NoAnswer,

    /// <summary>Every target was busy or declined.</summary>
    Busy,

    /// <summary>No target could be reached.</summary>
    Failed,

    /// <summary>Ended by the station (button, API, shutdown) before or after the answer.</summary>
    Cancelled,
}

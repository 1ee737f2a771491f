namespace Intercom.Station.Events;

/// <summary>Why an incoming call was refused.</summary>
public enum IncomingRefusal
{
    /// <summary>Nothing vouches for where it came from (403): its From alone opens nothing.</summary>
    Unverified,

    /// <summary>Auto-answer is off (480), for everyone alike.</summary>
    AutoAnswerOff,

    /// <summary>Not on the allowlist (403).</summary>
    NotAllowed,

    /// <summary>A call is already in progress (486).</summary>
    Busy,
}

namespace Intercom.Station.Calls;

/// <summary>Why a call leg ended.</summary>
public enum CallEndReason
{
    /// <summary>The far end hung up (BYE received) or cancelled its incoming call.</summary>
    RemoteHangUp,

    /// <summary>The station hung up or cancelled (its <see cref="ICallControl.HangUp"/> completed).</summary>
    LocalHangUp,

    /// <summary>The target was busy (486, 600).</summary>
    Busy,

    /// <summary>The target declined (603) or rejected the call (4xx other than 486, 408).</summary>
    Declined,

    /// <summary>No answer from the far end (408, or the transaction timed out).</summary>
    NoAnswer,

    /// <summary>Anything else: unreachable, transport error, 5xx, authentication failure.</summary>
    Failed,
}

namespace Intercom.Station.Events;

/// <summary>Why a dial request rang nobody.</summary>
public enum DialRefusal
{
    /// <summary>One call at a time: a call is already in progress.</summary>
    CallInProgress,

    /// <summary>The target is neither a ring group nor a plausible SIP URI or extension.</summary>
    NotDialable,
}

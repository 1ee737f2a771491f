namespace Intercom.Media.Ice;

/// <summary>A pair's state in the check list (RFC 8445 §6.1.2.6).</summary>
public enum IceCandidatePairState
{
    /// <summary>Not checked yet, and not allowed to be until a pair of its foundation is checked.</summary>
    Frozen,

    /// <summary>May be checked when its turn comes.</summary>
    Waiting,

    /// <summary>A check was sent and has no answer yet.</summary>
    InProgress,

    /// <summary>A check got a success response from the right address (RFC 8445 §7.2.5.2).</summary>
    Succeeded,

    /// <summary>A check failed or timed out.</summary>
    Failed,
}

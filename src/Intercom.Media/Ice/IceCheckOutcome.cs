namespace Intercom.Media.Ice;

/// <summary>What <see cref="IceLiteResponder.Handle"/> did with a packet.</summary>
public enum IceCheckOutcome
{
    /// <summary>Not a STUN Binding request (or not STUN at all): the caller handles it as media.</summary>
    NotACheck,

    /// <summary>Malformed, a bad FINGERPRINT, or nothing to answer: dropped without a response (RFC 8489 §6.3).</summary>
    Dropped,

    /// <summary>Refused with an error response (400, 401, 420 or 487), written to the response buffer.</summary>
    Refused,

    /// <summary>An authentic check: a success response is written, and its source is a valid remote address.</summary>
    Answered,

    /// <summary>An authentic check carrying USE-CANDIDATE that changed the selected remote address (RFC 8445 §8.2).</summary>
    Selected,
}

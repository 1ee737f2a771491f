namespace Intercom.Media.Nat;

/// <summary>The class of a STUN message (RFC 8489 §5: the C1 and C0 bits of the message type).</summary>
public enum StunMessageClass
{
    /// <summary>Expects a response.</summary>
    Request = 0,

    /// <summary>Expects none.</summary>
    Indication = 1,

    /// <summary>A success response to a request.</summary>
    SuccessResponse = 2,

    /// <summary>An error response to a request (with an ERROR-CODE).</summary>
    ErrorResponse = 3,
}

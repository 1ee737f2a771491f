namespace Intercom.Media.Ice;

/// <summary>Why an `a=candidate` value was not read (RFC 8839 §5.1).</summary>
public enum IceCandidateParseError
{
    /// <summary>Read.</summary>
    None,

    /// <summary>Longer than <see cref="IceCandidate.MaxLength"/>, or more extensions than <see cref="IceCandidate.MaxExtensions"/>.</summary>
    TooLong,

    /// <summary>Fewer than the eight mandatory fields (foundation to `typ` and its value).</summary>
    MissingField,

    /// <summary>Not 1–32 ice-chars (ALPHA / DIGIT / "+" / "/").</summary>
    BadFoundation,

    /// <summary>Not a component id of 1–256.</summary>
    BadComponent,

    /// <summary>Not a transport token.</summary>
    BadTransport,

    /// <summary>Not a priority of 1 to 2^31 − 1 (<see cref="IceCandidate.MaxPriority"/>).</summary>
    BadPriority,

    /// <summary>Not an IPv4 address, an IPv6 address or a host name.</summary>
    BadAddress,

    /// <summary>Not a port of 0–65535.</summary>
    BadPort,

    /// <summary>The sixth field is not `typ`, or its value is not a token.</summary>
    BadType,

    /// <summary>A well-formed type this agent does not know: RFC 8839 §5.1 says such a candidate is ignored.</summary>
    UnknownType,

    /// <summary>`raddr`/`rport` malformed, or one without the other.</summary>
    BadRelatedAddress,

    /// <summary>An extension name without a value, or not a token.</summary>
    BadExtension,
}

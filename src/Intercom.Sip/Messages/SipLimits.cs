namespace Intercom.Sip.Messages;

/// <summary>
/// Bounds the parser applies to every message from the network (DESIGN.md "Parsing": every byte is hostile).
/// A UDP datagram cannot exceed 65,535 bytes (RFC 768), and RFC 3261 §18.1.1 asks for TCP above ~1300 bytes,
/// so nothing legitimate comes near these figures; they only cap the work an attacker can make us do.
/// </summary>
public sealed record SipLimits
{
    /// <summary>Defaults used when the caller passes no limits.</summary>
    public static SipLimits Default { get; } = new();

    /// <summary>Largest whole message (start line, headers and body) accepted, in bytes.</summary>
    public int MaxMessageSize { get; init; } = 65_535;

    /// <summary>Largest number of header lines (after unfolding) accepted in one message.</summary>
    public int MaxHeaderCount { get; init; } = 256;

    /// <summary>Largest length of one header field (name, colon and unfolded value), in bytes.</summary>
    public int MaxHeaderLength { get; init; } = 16_384;

    /// <summary>Largest number of comma-separated elements in one header field value.</summary>
    public int MaxHeaderElements { get; init; } = 256;

    /// <summary>Largest number of parameters (and URI headers) in one URI or header element.</summary>
    public int MaxParameterCount { get; init; } = 64;

    /// <summary>Largest length of a Request-URI or any URI inside a header, in characters.</summary>
    public int MaxUriLength { get; init; } = 8_192;
}

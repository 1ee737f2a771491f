namespace Intercom.Sip.Messages;

/// <summary>
/// Why a message was rejected, and, for a request read far enough, what a stateless error response needs
/// (RFC 3261 §8.2.6: Via, From, To, Call-ID and CSeq copied from the request).
/// </summary>
public sealed class SipParseError
{
    /// <summary>The value returned with a successfully parsed message.</summary>
    public static SipParseError None { get; } = new(string.Empty);

    internal SipParseError(string reason)
    {
        Reason = reason;
    }

    /// <summary>True when this describes a failure (false for <see cref="None"/>).</summary>
    public bool IsError => Reason.Length > 0;

    /// <summary>What is wrong, in words fit for a log line or a 400's reason phrase (e.g. "CSeq: method INVITE does not match request method OPTIONS").</summary>
    public string Reason { get; }

    /// <summary>The header whose value is wrong (canonical name), or null when the fault is elsewhere.</summary>
    public string? HeaderName { get; internal init; }

    /// <summary>The status a UAS should answer with: 400, or 505 for an unknown SIP version (RFC 4475 §3.1.2.16), 501 for an unknown method whose CSeq disagrees (§3.1.2.18), 513 for an oversized message.</summary>
    public int StatusCode { get; internal init; } = 400;

    /// <summary>True when the start line was a request line.</summary>
    public bool IsRequest { get; internal init; }

    /// <summary>The request method, when the request line could be read.</summary>
    public string? Method { get; internal init; }

    /// <summary>All Via header values as received (the response must carry every one, in order).</summary>
    public IReadOnlyList<string> Vias { get; internal init; } = [];

    /// <summary>The From header value as received, or null.</summary>
    public string? From { get; internal init; }

    /// <summary>The To header value as received, or null.</summary>
    public string? To { get; internal init; }

    /// <summary>The Call-ID header value as received, or null.</summary>
    public string? CallId { get; internal init; }

    /// <summary>The CSeq header value as received, or null.</summary>
    public string? CSeq { get; internal init; }

    /// <summary>The parsed topmost Via (where a response goes, RFC 3261 §18.2.2), when it was well-formed.</summary>
    public SipVia? TopVia { get; internal init; }

    /// <summary>
    /// True when an error response can be sent: the message is a request other than ACK (never answered, §17.1.1.3),
    /// the topmost Via is well-formed and From, To, Call-ID and CSeq are present.
    /// </summary>
    public bool CanRespond => IsRequest && Method != SipMethods.Ack && TopVia is not null && From is not null && To is not null && CallId is not null && CSeq is not null;

    /// <inheritdoc/>
    public override string ToString() => IsError ? Reason : "no error";
}

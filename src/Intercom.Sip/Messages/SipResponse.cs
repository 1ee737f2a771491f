namespace Intercom.Sip.Messages;

/// <summary>A SIP response (RFC 3261 §7.2): SIP-Version SP Status-Code SP Reason-Phrase.</summary>
public sealed class SipResponse : SipMessage
{
    /// <summary>Creates a response; <paramref name="reasonPhrase"/> defaults to the RFC's phrase for the code.</summary>
    public SipResponse(int statusCode, string? reasonPhrase = null, SipHeaders? headers = null, ReadOnlyMemory<byte> body = default)
        : base(headers, body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        if (reasonPhrase is not null && reasonPhrase.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("A reason phrase must not contain CR or LF.", nameof(reasonPhrase));
        }

        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase ?? SipStatusCodes.ReasonPhrase(statusCode);
    }

    /// <summary>The three-digit status code, 100–699.</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase (may be empty, RFC 4475 §3.1.1.13).</summary>
    public string ReasonPhrase { get; }

    /// <summary>True for 1xx.</summary>
    public bool IsProvisional => StatusCode < 200;

    /// <summary>
    /// Builds a response to <paramref name="request"/> as a UAS does (RFC 3261 §8.2.6): Via, From, To, Call-ID and
    /// CSeq copied; a To tag added when <paramref name="toTag"/> is given and the To has none (§8.2.6.2).
    /// </summary>
    public static SipResponse CreateFor(SipRequest request, int statusCode, string? reasonPhrase = null, string? toTag = null) =>
        SipResponseFactory.Create(request, statusCode, reasonPhrase, toTag);

    /// <inheritdoc/>
    public override string ToString() => $"{SipVersion} {StatusCode} {ReasonPhrase}";
}

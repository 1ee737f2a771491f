namespace Intercom.Sip.Messages;

/// <summary>A SIP request (RFC 3261 §7.1): Method SP Request-URI SP SIP-Version.</summary>
public sealed class SipRequest : SipMessage
{
    /// <summary>Creates a request.</summary>
    public SipRequest(string method, SipUri requestUri, SipHeaders? headers = null, ReadOnlyMemory<byte> body = default)
        : base(headers, body)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        if (!SipGrammar.IsToken(method))
        {
            throw new ArgumentException($"\"{method}\" is not a valid method (RFC 3261 §25.1 token).", nameof(method));
        }

        Method = method;
        RequestUri = requestUri;
    }

    /// <summary>The method, case-sensitive (RFC 3261 §7.1), e.g. <see cref="SipMethods.Invite"/>.</summary>
    public string Method { get; }

    /// <summary>The Request-URI.</summary>
    public SipUri RequestUri { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Method} {RequestUri} {SipVersion}";
}

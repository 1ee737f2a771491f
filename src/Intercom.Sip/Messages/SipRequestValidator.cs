namespace Intercom.Sip.Messages;

/// <summary>
/// The checks a UAS (RFC 3261 §8.2) or proxy (§16.3) applies to a request the parser accepted, in the RFC's
/// order: what is wrong is returned as the status and reason to answer with. Covers the semantically wrong
/// messages of RFC 4475 §3.2–§3.3 (missing or repeated single-value headers, unknown schemes, unsupported
/// extensions and bodies, Max-Forwards 0).
/// </summary>
public static class SipRequestValidator
{
    private static readonly string[] Required = [SipHeaderNames.To, SipHeaderNames.From, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.Via];
    private static readonly string[] SingleValued = [SipHeaderNames.To, SipHeaderNames.From, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.MaxForwards];

    /// <summary>Validates <paramref name="request"/>; <see cref="SipValidationResult.Accept"/> when it may be processed.</summary>
    public static SipValidationResult Validate(SipRequest request, SipValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= SipValidationOptions.Default;
        SipHeaders headers = request.Headers;

        // §8.1.1: To, From, CSeq, Call-ID and Via are mandatory (Max-Forwards is tolerated missing for RFC 2543 peers, RFC 4475 §3.4.1).
        List<string>? missing = null;
        foreach (string name in Required)
        {
            if (!headers.Contains(name))
            {
                (missing ??= []).Add(name);
            }
        }

        if (missing is not null)
        {
            return SipValidationResult.Reject(400, "Missing " + string.Join(", ", missing));
        }

        // RFC 4475 §3.3.8: single-value headers appearing twice.
        foreach (string name in SingleValued)
        {
            if (headers.GetLines(name).Count > 1)
            {
                return SipValidationResult.Reject(400, $"Multiple {name} values");
            }
        }

        // RFC 4475 §3.3.9: conflicting Content-Length values frame nothing.
        IReadOnlyList<string> lengths = headers.GetLines(SipHeaderNames.ContentLength);
        for (int i = 1; i < lengths.Count; i++)
        {
            if (lengths[i].Trim() != lengths[0].Trim())
            {
                return SipValidationResult.Reject(400, "Conflicting Content-Length values");
            }
        }

        // RFC 4475 §3.2.1: the magic cookie promises an RFC 3261 branch, but nothing follows it.
        if (request.TopVia is { } via && via.Branch == SipVia.MagicCookie)
        {
            return SipValidationResult.Reject(400, "Via branch has the z9hG4bK prefix but no transaction id");
        }

        if (options.IsProxy)
        {
            return ValidateAsProxy(request, options);
        }

        // §8.2.1: method inspection.
        if (!Contains(options.AllowedMethods, request.Method, StringComparison.Ordinal))
        {
            return SipMethods.IsKnown(request.Method)
                ? SipValidationResult.Reject(405, "Method Not Allowed")
                : SipValidationResult.Reject(501, "Not Implemented");
        }

        // §8.2.2.1: Request-URI scheme.
        if (!Contains(options.SupportedSchemes, request.RequestUri.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return SipValidationResult.Reject(416, $"Unsupported URI Scheme {request.RequestUri.Scheme}");
        }

        // §10.3 step 5 (registrar) and §8.2.2.1: To and From of REGISTER must be SIP or SIPS (RFC 4475 §3.3.4).
        if (request.Method == SipMethods.Register && (request.To?.Uri.IsSip != true || request.From?.Uri.IsSip != true))
        {
            return SipValidationResult.Reject(400, "To and From of REGISTER must be SIP or SIPS URIs");
        }

        // §8.2.2.3: Require.
        List<string> unsupported = UnsupportedTags(headers.GetAll(SipHeaderNames.Require), options);
        if (unsupported.Count > 0 && request.Method is not SipMethods.Ack and not SipMethods.Cancel)
        {
            return new SipValidationResult(420, "Bad Extension", unsupported);
        }

        // §8.2.3: content processing.
        if (!request.Body.IsEmpty)
        {
            string? type = request.ContentType;
            string mediaType = type is null ? string.Empty : type.Split(';')[0].Trim();
            if (!Contains(options.SupportedContentTypes, mediaType, StringComparison.OrdinalIgnoreCase))
            {
                return SipValidationResult.Reject(415, $"Unsupported Media Type {mediaType}");
            }
        }

        // RFC 4475 §3.3.15 / §8.2.3: an INVITE whose Accept excludes SDP cannot be answered with an SDP body.
        IReadOnlyList<string> accept = headers.GetAll(SipHeaderNames.Accept);
        if (request.Method == SipMethods.Invite && headers.Contains(SipHeaderNames.Accept) && !AcceptsSdp(accept))
        {
            return SipValidationResult.Reject(406, "Not Acceptable: Accept does not include application/sdp");
        }

        return SipValidationResult.Accept;
    }

    private static SipValidationResult ValidateAsProxy(SipRequest request, SipValidationOptions options)
    {
        // §16.3 step 3: a request with Max-Forwards 0 is not forwarded (RFC 4475 §3.3.11).
        if (request.MaxForwards == 0)
        {
            return SipValidationResult.Reject(483, "Too Many Hops");
        }

        // §16.3 step 5: Proxy-Require.
        List<string> unsupported = UnsupportedTags(request.Headers.GetAll(SipHeaderNames.ProxyRequire), options);
        if (unsupported.Count > 0)
        {
            return new SipValidationResult(420, "Bad Extension", unsupported);
        }

        return SipValidationResult.Accept;
    }

    private static List<string> UnsupportedTags(IReadOnlyList<string> tags, SipValidationOptions options)
    {
        var unsupported = new List<string>();
        foreach (string tag in tags)
        {
            if (!Contains(options.SupportedExtensions, tag, StringComparison.OrdinalIgnoreCase))
            {
                unsupported.Add(tag);
            }
        }

        return unsupported;
    }

    private static bool AcceptsSdp(IReadOnlyList<string> accept)
    {
        foreach (string range in accept)
        {
            string media = range.Split(';')[0].Trim();
            if (media is "*/*" or "application/*" || media.Equals("application/sdp", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(IReadOnlyList<string> list, string value, StringComparison comparison)
    {
        foreach (string item in list)
        {
            if (string.Equals(item, value, comparison))
            {
                return true;
            }
        }

        return false;
    }
}

namespace Intercom.Sip.Messages;

/// <summary>Builds responses the way a UAS must (RFC 3261 §8.2.6), from a parsed request or from a parse error.</summary>
public static class SipResponseFactory
{
    /// <summary>
    /// A response to <paramref name="request"/>: every Via (in order), From, To, Call-ID and CSeq copied
    /// (§8.2.6.2); <paramref name="toTag"/> is added to To when the request's To has no tag (a 100 Trying never gets one).
    /// </summary>
    public static SipResponse Create(SipRequest request, int statusCode, string? reasonPhrase = null, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = new SipHeaders();
        foreach (string via in request.Headers.GetLines(SipHeaderNames.Via))
        {
            headers.Add(SipHeaderNames.Via, via);
        }

        CopyFirst(request.Headers, headers, SipHeaderNames.From);
        string? to = request.Headers.Get(SipHeaderNames.To);
        if (to is not null)
        {
            if (toTag is not null && statusCode != 100 && request.To is { Tag: null } toAddress)
            {
                SipNameAddress tagged = toAddress.Clone();
                tagged.Tag = toTag;
                to = tagged.ToString();
            }

            headers.Add(SipHeaderNames.To, to);
        }

        CopyFirst(request.Headers, headers, SipHeaderNames.CallId);
        CopyFirst(request.Headers, headers, SipHeaderNames.CSeq);
        if (statusCode == 100)
        {
            // §8.2.6.1: a Timestamp in the request is copied into 100 Trying.
            CopyFirst(request.Headers, headers, SipHeaderNames.Timestamp);
        }

        return new SipResponse(statusCode, reasonPhrase, headers);
    }

    /// <summary>
    /// The error response for a request the parser rejected (400, or 505/501/513 as the error says), with the error's
    /// reason as reason phrase, or null when <see cref="SipParseError.CanRespond"/> is false (then the message is dropped).
    /// </summary>
    public static SipResponse? CreateForParseError(SipParseError error, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!error.IsError || !error.CanRespond)
        {
            return null;
        }

        var headers = new SipHeaders();
        foreach (string via in error.Vias)
        {
            headers.Add(SipHeaderNames.Via, via);
        }

        headers.Add(SipHeaderNames.From, error.From!);
        string to = error.To!;
        if (toTag is not null && SipNameAddress.TryParse(to, out SipNameAddress? address) && address.Tag is null)
        {
            address.Tag = toTag;
            to = address.ToString();
        }

        headers.Add(SipHeaderNames.To, to);
        headers.Add(SipHeaderNames.CallId, error.CallId!);
        headers.Add(SipHeaderNames.CSeq, error.CSeq!);
        return new SipResponse(error.StatusCode, SanitiseReason(error.Reason), headers);
    }

    private static void CopyFirst(SipHeaders from, SipHeaders to, string name)
    {
        string? value = from.GetLines(name) is { Count: > 0 } lines ? lines[0] : null;
        if (value is not null)
        {
            to.Add(name, value);
        }
    }

    private static string SanitiseReason(string reason)
    {
        // Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB): no controls.
        Span<char> buffer = reason.Length <= 256 ? stackalloc char[reason.Length] : new char[reason.Length];
        int n = 0;
        foreach (char c in reason)
        {
            buffer[n++] = char.IsControl(c) ? ' ' : c;
        }

        return new string(buffer[..n]);
    }
}

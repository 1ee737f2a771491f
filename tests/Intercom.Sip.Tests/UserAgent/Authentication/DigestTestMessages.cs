using Intercom.Sip.Messages;
using System.Text;

namespace Intercom.Sip.Tests.UserAgent.Authentication;

/// <summary>REGISTER requests and their 401/407 challenges for the digest tests.</summary>
internal static class DigestTestMessages
{
    public static SipRequest Register(uint cseq = 1) =>
        (SipRequest)Parse(
            $"""
            REGISTER sip:example.com SIP/2.0
            Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKreg{cseq}
            Max-Forwards: 70
            From: <sip:door@example.com>;tag=reg1
            To: <sip:door@example.com>
            Call-ID: reg-1@192.0.2.1
            CSeq: {cseq} REGISTER
            Contact: <sip:door@192.0.2.1:5060>
            Content-Length: 0


            """);

    /// <summary>A 401 (or 407) to <paramref name="request"/> with the given challenge lines.</summary>
    public static SipResponse Challenge(SipRequest request, int status, params string[] challenges)
    {
        var response = SipResponse.CreateFor(request, status, toTag: "registrar1");
        foreach (var c in challenges)
        {
            response.Headers.Add(status == 407 ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate, c);
        }

        // Through the wire format, as a received response would be.
        return (SipResponse)Parse(Encoding.UTF8.GetString(SipMessageWriter.ToBytes(response)));
    }

    /// <summary>The request re-sent after a challenge: a copy with CSeq + 1 (RFC 3261 §22.2), credentials added by the caller.</summary>
    public static SipRequest Next(SipRequest request)
    {
        var copy = Register(request.CSeq!.Value.Number + 1);
        foreach (var line in request.Headers)
        {
            if (SipHeaderNames.Matches(line.Name, SipHeaderNames.Authorization) || SipHeaderNames.Matches(line.Name, SipHeaderNames.ProxyAuthorization))
            {
                copy.Headers.Add(line.Name, line.Value);
            }
        }

        return copy;
    }

    private static SipMessage Parse(string text) =>
        SipMessageParser.TryParse(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n")), out var message, out var error)
            ? message
            : throw new InvalidOperationException("Test message does not parse: " + error);
}

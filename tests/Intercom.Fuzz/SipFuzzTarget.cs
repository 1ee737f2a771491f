using Intercom.Sip.Messages;

namespace Intercom.Fuzz;

/// <summary>
/// Fuzz target "sip": the SIP message parser (and everything a received request goes through next). Any exception
/// escaping is a finding; so is a message that parses but does not survive write → parse.
/// </summary>
internal static class SipFuzzTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        if (!SipMessageParser.TryParse(data, out SipMessage? message, out SipParseError error))
        {
            // What a UAS does with a rejected request: build the 400 (or nothing) and serialise it.
            if (SipResponseFactory.CreateForParseError(error, "fuzz") is { } reply)
            {
                SipMessageWriter.ToBytes(reply);
            }

            return;
        }

        // Typed views are parsed lazily; touch them all.
        _ = message.Vias.Count + message.Contacts.Count + message.Routes.Count + message.RecordRoutes.Count;
        _ = (message.From?.ToString(), message.To?.ToString(), message.CSeq, message.MaxForwards, message.Expires, message.ContentType);
        if (message is SipRequest request)
        {
            SipRequestValidator.Validate(request);
            SipMessageWriter.ToBytes(SipResponse.CreateFor(request, 200, toTag: "fuzz"));
        }

        byte[] written = SipMessageWriter.ToBytes(message);
        if (!SipMessageParser.TryParse(written, out SipMessage? again, out SipParseError againError))
        {
            throw new InvalidOperationException("A parsed message did not parse after writing: " + againError.Reason);
        }

        if (again.ToString() != message.ToString() || !again.Body.Span.SequenceEqual(message.Body.Span))
        {
            throw new InvalidOperationException("Start line or body changed in write → parse.");
        }
    }
}

using Intercom.Sip.Messages;

namespace Intercom.Sip.Transport;

/// <summary>
/// Rewrites the topmost Via of a message. The message model keeps headers as text and parses Via on demand, so a
/// changed <see cref="SipVia"/> has to be written back into the first Via line (which may hold several comma-joined
/// elements, RFC 3261 §7.3.1).
/// </summary>
internal static class SipTopVia
{
    public static void Set(SipMessage message, SipVia via)
    {
        var headers = message.Headers;
        var index = headers.IndexOf(SipHeaderNames.Via, 0);
        if (index < 0)
        {
            headers.Insert(0, SipHeaderNames.Via, via.ToString());
            return;
        }

        var line = headers[index];
        var comma = SipGrammar.IndexOfUnquoted(line.Value, ',');
        var value = comma < 0 ? via.ToString() : string.Concat(via.ToString(), ", ", line.Value.AsSpan(comma + 1).TrimStart());
        headers.RemoveAt(index);
        headers.Insert(index, line.Name, value);
    }
}

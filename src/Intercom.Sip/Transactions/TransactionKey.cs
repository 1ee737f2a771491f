using System.Globalization;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Transactions;

/// <summary>
/// Server transaction id (RFC 3261 §17.2.3): branch + sent-by + method, with ACK matching INVITE. Requests without the
/// z9hG4bK cookie (RFC 2543 peers) are keyed by Request-URI, From tag, Call-ID, CSeq number and top Via instead.
/// </summary>
internal readonly record struct TransactionKey(string Id, string SentBy, string Method)
{
    public static bool TryCreate(SipRequest request, string method, out TransactionKey key, out bool isRfc3261)
    {
        key = default;
        isRfc3261 = false;
        var via = request.TopVia;
        var cseq = request.CSeq;
        if (via is null || cseq is null)
        {
            return false;
        }

        var port = via.Port ?? (string.Equals(via.Transport, "TLS", StringComparison.OrdinalIgnoreCase) ? 5061 : 5060);
        var sentBy = via.Host.ToLowerInvariant() + ":" + port.ToString(CultureInfo.InvariantCulture);
        if (via.IsRfc3261Branch)
        {
            isRfc3261 = true;
            key = new TransactionKey(via.Branch!, sentBy, method);
            return true;
        }

        // RFC 2543 (§17.2.3): the To tag is left out so the ACK (whose To carries the tag of our response) finds the INVITE;
        // the caller compares it separately.
        var id = string.Join(
            '\n',
            request.RequestUri.ToString(),
            request.From?.Tag ?? string.Empty,
            request.CallId ?? string.Empty,
            cseq.Value.Number.ToString(CultureInfo.InvariantCulture),
            via.Branch ?? string.Empty);
        key = new TransactionKey(id, sentBy, method);
        return true;
    }
}

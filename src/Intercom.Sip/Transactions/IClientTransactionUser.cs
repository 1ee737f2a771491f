using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Transactions;

/// <summary>
/// The transaction user of a client transaction (the UAC core, a dialog, a registration). Called on the SIP loop.
/// After a fail-over to the next destination (RFC 3263 §4.3) the callbacks carry the new transaction.
/// </summary>
public interface IClientTransactionUser
{
    /// <summary>A 1xx response.</summary>
    void OnProvisional(ClientTransaction transaction, SipResponse response);

    /// <summary>
    /// A final response. For INVITE, every 2xx (including retransmissions and 2xx from other forks while Accepted,
    /// RFC 6026 §8.4) arrives here, and the TU sends the ACK for 2xx itself (RFC 3261 §13.2.2.4); the ACK for 300–699 is sent
    /// by the transaction (§17.1.1.3).
    /// </summary>
    void OnFinal(ClientTransaction transaction, SipResponse response);

    /// <summary>Timer B or F fired with no final response and no destination left: act as on a 408 (RFC 3261 §8.1.3.1).</summary>
    void OnTimeout(ClientTransaction transaction);

    /// <summary>The transport failed and no destination is left: act as on a 503 (RFC 3261 §8.1.3.1).</summary>
    void OnTransportError(ClientTransaction transaction, SipTransportError error);
}

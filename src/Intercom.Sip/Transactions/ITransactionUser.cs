using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Transactions;

/// <summary>The UA core above the transaction layer: receives what arrives from the network, on the SIP loop.</summary>
public interface ITransactionUser
{
    /// <summary>
    /// A new request, with its server transaction; answer with <see cref="ServerTransaction.Respond"/>. Retransmissions
    /// never arrive here (the transaction absorbs them). For CANCEL, <see cref="ServerTransaction.CancelTarget"/> is the
    /// INVITE server transaction it cancels (RFC 3261 §9.2), or null (then answer 481).
    /// </summary>
    void OnRequest(ServerTransaction transaction, SipRequest request);

    /// <summary>
    /// An ACK not absorbed by a transaction: the ACK for a 2xx (RFC 3261 §17.2.3, §13.3.1.4), which belongs to the dialog.
    /// </summary>
    void OnAck(SipRequest ack, SipFlow flow);

    /// <summary>
    /// A response that matches no client transaction (RFC 3261 §17.1.3), e.g. a 2xx retransmitted after Timer M; a UAC
    /// core re-sends its ACK for it.
    /// </summary>
    void OnStrayResponse(SipResponse response, SipFlow flow);

    /// <summary>A server transaction failed: Timer H fired, or its response could not be sent.</summary>
    void OnServerTransactionFailed(ServerTransaction transaction, ServerTransactionFailure failure);
}

namespace Intercom.Sip.Transactions;

/// <summary>Why a server transaction ended without completing normally.</summary>
public enum ServerTransactionFailure
{
    /// <summary>Timer H: no ACK came for a 300–699 response to an INVITE (RFC 3261 §17.2.1).</summary>
    AckTimeout,

    /// <summary>The response could not be sent (RFC 3261 §17.2.4).</summary>
    TransportError,
}

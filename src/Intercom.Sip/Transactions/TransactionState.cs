namespace Intercom.Sip.Transactions;

/// <summary>The states of the RFC 3261 §17 state machines (figures 5–8) and RFC 6026's Accepted.</summary>
public enum TransactionState
{
    /// <summary>Client INVITE: request sent, no response yet (Timers A, B).</summary>
    Calling,

    /// <summary>Client non-INVITE: request sent, no response yet (Timers E, F). Server non-INVITE: no response sent yet.</summary>
    Trying,

    /// <summary>A provisional response was received (client) or sent (server).</summary>
    Proceeding,

    /// <summary>A 2xx to an INVITE was received or sent (RFC 6026 §7.1/§7.2; Timers M, L).</summary>
    Accepted,

    /// <summary>A final response (300–699 for INVITE) was received or sent; absorbing retransmissions (Timers D, G, H, J, K).</summary>
    Completed,

    /// <summary>Server INVITE: the ACK for a non-2xx final response arrived (Timer I).</summary>
    Confirmed,

    /// <summary>Gone: removed from the transaction layer.</summary>
    Terminated,
}

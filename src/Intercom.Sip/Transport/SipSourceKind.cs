namespace Intercom.Sip.Transport;

/// <summary>
/// How far a received message's source address can be believed, which decides how <see cref="SipSourceRateLimiter"/>
/// may treat that address. Each kind has buckets of its own, so traffic of one kind never spends another's budget.
/// </summary>
public enum SipSourceKind
{
    /// <summary>
    /// A UDP datagram. Its source address is whatever the sender wrote: anyone on the network can claim to be the PBX.
    /// Such a source is limited to its rate but never blocked, since a block would punish the address, not the sender.
    /// </summary>
    Datagram,

    /// <summary>
    /// A message or keepalive over TCP or TLS. The handshake proved the address, so a source that keeps flooding is
    /// blocked (its connections closed, new ones refused).
    /// </summary>
    Stream,

    /// <summary>
    /// A UDP response carrying the branch of one of the station's own recent client transactions: 64 random bits a
    /// sender off the path cannot guess. It has a per-source and an overall budget of its own, so a forged flood in the
    /// PBX's name does not crowd out the PBX's answers to our REGISTER, INVITE or OPTIONS.
    /// </summary>
    TransactionResponse,
}

using Intercom.Media.Nat;

namespace Intercom.Media.Ice;

/// <summary>
/// One Binding request the agent sent on a pair (RFC 8445 §7.2.4): an ordinary or triggered check, a nomination
/// (USE-CANDIDATE) or a consent check (RFC 7675); kept with its bytes for retransmission (RFC 8489 §6.2.1).
/// </summary>
internal sealed class IceCheckTransaction(StunTransactionId id, IceCandidatePair pair, byte[] request, int length, uint priority, bool nominating, bool consent)
{
    public StunTransactionId Id { get; } = id;

    /// <summary>The check-list pair the request left on (its base, its remote address).</summary>
    public IceCandidatePair Pair { get; } = pair;

    public byte[] Request { get; } = request;

    public int Length { get; } = length;

    /// <summary>The PRIORITY sent: a peer-reflexive candidate learned from the response gets it (§7.2.5.3.1).</summary>
    public uint Priority { get; } = priority;

    /// <summary>Carries USE-CANDIDATE.</summary>
    public bool Nominating { get; } = nominating;

    /// <summary>A consent freshness check (RFC 7675): sent once, never retransmitted, never fails a pair.</summary>
    public bool Consent { get; } = consent;

    /// <summary>Requests sent so far.</summary>
    public int Sent { get; set; }

    /// <summary>When the next retransmission (or, after the last, the timeout) is due, in timestamp ticks.</summary>
    public long DueAt { get; set; }

    /// <summary>The current retransmission timeout.</summary>
    public TimeSpan Rto { get; set; }
}

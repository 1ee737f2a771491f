using System.Net;

namespace Intercom.Phone;

/// <summary>How one account's calls get through a NAT (the configuration's accounts[].nat), compared by value.</summary>
public sealed record AccountNatOptions
{
    /// <summary>No NAT traversal: the SDP carries the local address.</summary>
    public static AccountNatOptions None { get; } = new();

    /// <summary>
    /// STUN servers asked in order for the public mapping of each call's RTP socket before its SDP is written (RFC 8489
    /// Binding from that socket); the mapped address and port then go in c= and m=. Empty: none.
    /// </summary>
    public IReadOnlyList<DnsEndPoint> StunServers { get; init; } = [];

    /// <summary>How long a call waits for the mapping before it goes on with the local address (logged once as a warning).</summary>
    public TimeSpan StunTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// ICE (RFC 8445) for the account's calls when it has STUN servers: the STUN mapping becomes a server-reflexive
    /// candidate next to the host one, and a peer that does ICE too gets connectivity checks, a selected pair and consent
    /// freshness. False: the mapping only goes into c= and m=.
    /// </summary>
    public bool Ice { get; init; } = true;

    /// <summary>
    /// A TURN relay (RFC 8656) for the account's ICE calls: each call allocates a relayed candidate on the first server
    /// that answers within <see cref="StunTimeout"/>, from its own RTP socket (UDP) or a connection (TCP/TLS), and
    /// releases it when the call ends. Null: none. Without <see cref="Ice"/> it is not used.
    /// </summary>
    public AccountTurnOptions? Turn { get; init; }

    /// <summary>Whether calls do ICE: it is on and there is a server to gather from (STUN, or TURN whose Allocate also maps).</summary>
    public bool UsesIce => Ice && (StunServers.Count > 0 || Turn is { Servers.Count: > 0 });

    public bool Equals(AccountNatOptions? other) =>
        other is not null && StunTimeout == other.StunTimeout && Ice == other.Ice && StunServers.SequenceEqual(other.StunServers)
        && Equals(Turn, other.Turn);

    public override int GetHashCode() => HashCode.Combine(StunServers.Count, StunTimeout, Ice, Turn);
}

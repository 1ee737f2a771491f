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

    public bool Equals(AccountNatOptions? other) =>
        other is not null && StunTimeout == other.StunTimeout && StunServers.SequenceEqual(other.StunServers);

    public override int GetHashCode() => HashCode.Combine(StunServers.Count, StunTimeout);
}

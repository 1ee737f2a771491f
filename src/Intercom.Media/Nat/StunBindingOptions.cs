namespace Intercom.Media.Nat;

/// <summary>The retransmission of a STUN request over UDP (RFC 8489 §6.2.1) and what the request carries.</summary>
public sealed record StunBindingOptions
{
    /// <summary>The first retransmission timeout (RTO); it doubles after each request. §6.2.1: 500 ms by default.</summary>
    public TimeSpan InitialRto { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Rc: requests sent in all (the first and its retransmissions). §6.2.1: 7.</summary>
    public int RequestCount { get; init; } = 7;

    /// <summary>Rm: after the last request the client waits Rm × the initial RTO. §6.2.1: 16.</summary>
    public int LastWaitMultiplier { get; init; } = 16;

    /// <summary>SOFTWARE sent in the request (§14.14); null: none (a request says nothing about the station's software).</summary>
    public string? Software { get; init; }
}

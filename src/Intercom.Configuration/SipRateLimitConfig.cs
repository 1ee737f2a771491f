namespace Intercom.Configuration;

/// <summary>
/// Per-source limits on received SIP messages: a source over its budget gets 503 with Retry-After; one that keeps on is
/// held to its rate (UDP: its source address may be forged, so it is never blocked) or, over TCP/TLS, ignored for a
/// while. Also the caps on inbound TCP/TLS connections, which apply even when <see cref="Enabled"/> is false. The
/// defaults are far above what a phone, PBX or registrar sends to a door station.
/// </summary>
public sealed class SipRateLimitConfig
{
    public bool Enabled { get; set; } = true;

    /// <summary>Sustained messages per second from one address (an IPv6 /64).</summary>
    public int MessagesPerSecond { get; set; } = 20;

    /// <summary>Messages one address may send at once.</summary>
    public int Burst { get; set; } = 60;

    /// <summary>Messages per second from all sources together; beyond it only quiet sources get through.</summary>
    public int GlobalMessagesPerSecond { get; set; } = 200;

    /// <summary>503 answers in a row before the source is ignored.</summary>
    public int RefusalBurst { get; set; } = 10;

    /// <summary>How long an ignored TCP/TLS source stays ignored (UDP sources are never blocked).</summary>
    public int BlockSeconds { get; set; } = 60;

    /// <summary>Addresses never limited (e.g. the PBX), as IP literals.</summary>
    public List<string> Exempt { get; set; } = [];

    /// <summary>Inbound TCP/TLS connections one address (an IPv6 /64) may hold open; more are refused.</summary>
    public int MaxConnectionsPerSource { get; set; } = 8;

    /// <summary>Inbound TCP/TLS connections open at once from all addresses; more are refused.</summary>
    public int MaxConnections { get; set; } = 128;
}

using System.Net;

namespace Intercom.Sip.Transport;

/// <summary>
/// Per-source limits on received SIP messages (see <see cref="SipSourceRateLimiter"/>). The defaults leave a phone, a
/// PBX or a registrar far below the limit — a door station sees a handful of messages a minute — while a flood from one
/// address is answered with 503 for a moment and then ignored.
/// </summary>
public sealed class SipRateLimitOptions
{
    /// <summary>Off: every message goes up to the transaction layer, as before.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Sustained messages per second one source may send.</summary>
    public double MessagesPerSecond { get; init; } = 20;

    /// <summary>Messages one source may send at once before the sustained rate applies.</summary>
    public int Burst { get; init; } = 60;

    /// <summary>
    /// Messages per second admitted from all sources together (burst: twice as many). Beyond it — a flood spread over
    /// many addresses — only quiet sources (whose own bucket is full, like a phone placing one call) still get through,
    /// within a second budget of the same size; the rest is dropped unread. This bounds the work and the transaction
    /// state a distributed flood can cause.
    /// </summary>
    public double GlobalMessagesPerSecond { get; init; } = 200;

    /// <summary>
    /// 503 (Retry-After) answers one source may get in a row before it is ignored: a client that honours Retry-After
    /// (RFC 3261 §21.5.4) backs off after the first; one that keeps sending is flooding.
    /// </summary>
    public int RefusalBurst { get; init; } = 10;

    /// <summary>How long a source that ran out of refusals is ignored (datagrams dropped unread, connections closed).</summary>
    public TimeSpan BlockDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The Retry-After of a 503 (RFC 3261 §20.33).</summary>
    public int RetryAfterSeconds { get; init; } = 5;

    /// <summary>
    /// Sources remembered at once; the table never grows beyond it (the least recently seen is forgotten first).
    /// </summary>
    public int MaxSources { get; init; } = 4096;

    /// <summary>Addresses never limited (e.g. the PBX that forwards every call). IPv6 sources are keyed by their /64.</summary>
    public IReadOnlyList<IPAddress> Exempt { get; init; } = [];

    /// <summary>
    /// Inbound TCP/TLS connections one address (an IPv6 /64) may hold open at once; one more is refused at accept (reset,
    /// before any TLS handshake). A phone or PBX needs one or two. Applies even when <see cref="Enabled"/> is false:
    /// it bounds memory, not message rates. Exempt addresses are not exempt from it.
    /// </summary>
    public int MaxConnectionsPerSource { get; init; } = 8;

    /// <summary>
    /// Inbound TCP/TLS connections open at once from all sources; one more is refused at accept. Connections the station
    /// opens itself (to its registrar, outbound proxy, a callee) are not counted and never refused. Applies even when
    /// <see cref="Enabled"/> is false.
    /// </summary>
    public int MaxConnections { get; init; } = 128;
}

namespace Intercom.Sip.Transport;

/// <summary>Limits and timeouts of the <see cref="SipTransportLayer"/>.</summary>
public sealed class SipTransportOptions
{
    /// <summary>Largest start line + headers accepted on a stream; larger closes the connection.</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>Largest body (Content-Length) accepted on a stream; larger closes the connection.</summary>
    public int MaxBodyBytes { get; init; } = 48 * 1024;

    /// <summary>How long a TCP connect plus TLS handshake may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A TCP/TLS connection with no traffic for this long is closed. Longer than Timer B/F (32 s) so a transaction
    /// never loses its connection while waiting; RFC 5626 keepalives count as traffic.
    /// </summary>
    public TimeSpan ConnectionIdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Per-source limits on received messages; null (the default for the library) admits every message. The connection
    /// caps (<see cref="SipRateLimitOptions.MaxConnectionsPerSource"/>, <see cref="SipRateLimitOptions.MaxConnections"/>)
    /// apply in any case: from these options when given, else their defaults.
    /// </summary>
    public SipRateLimitOptions? RateLimit { get; init; }

    /// <summary>
    /// Bytes one TCP/TLS connection may have queued for sending but not yet written to its socket. A peer that stops
    /// reading fills its socket buffers first, then this queue; beyond it the connection is closed (and logged), so a
    /// peer can never make the station hold more than this per connection. The default holds two of the largest
    /// messages (headers and body limits) and hundreds of ordinary ones.
    /// </summary>
    public int MaxSendQueueBytes { get; init; } = 128 * 1024;

    /// <summary>TLS certificates and peer validation; needed for TLS listeners and TLS destinations.</summary>
    public SipTlsOptions Tls { get; init; } = new();
}

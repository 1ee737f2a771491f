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

    /// <summary>Per-source limits on received messages; null (the default for the library) admits everything.</summary>
    public SipRateLimitOptions? RateLimit { get; init; }

    /// <summary>TLS certificates and peer validation; needed for TLS listeners and TLS destinations.</summary>
    public SipTlsOptions Tls { get; init; } = new();
}

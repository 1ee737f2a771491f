namespace Intercom.Configuration;

/// <summary>
/// The TURN relay of one account (accounts[].nat.turn, RFC 8656): its servers as RFC 7065 URIs, tried in order, and the
/// long-term credential they share. Empty servers: no relay.
/// </summary>
public sealed class SipAccountTurnConfig
{
    /// <summary>
    /// "turn:HOST[:PORT][?transport=udp|tcp]" (3478) or "turns:HOST[:PORT]" (TLS, 5349; the host is also the name the
    /// server's certificate must carry). The relayed media is UDP in every case; tcp/tls only reach the server.
    /// </summary>
    public List<string> Servers { get; set; } = [];

    /// <summary>The TURN user name (RFC 8489 §9.2).</summary>
    public string? Username { get; set; }

    /// <summary>The TURN password. Write-only: never logged, never returned by the API.</summary>
    public string? Password { get; set; }
}

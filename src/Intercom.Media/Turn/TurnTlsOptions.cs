using System.Security.Cryptography.X509Certificates;

namespace Intercom.Media.Turn;

/// <summary>How the TLS connection to a "turns:" server is checked (RFC 8656 §3.1, RFC 7065).</summary>
public sealed class TurnTlsOptions
{
    public TurnTlsOptions(string serverName, X509Certificate2Collection? trustedAuthorities = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverName);
        ServerName = serverName;
        TrustedAuthorities = trustedAuthorities;
    }

    /// <summary>The name the server's certificate must be valid for (the host of the turns: URI); also sent as SNI.</summary>
    public string ServerName { get; }

    /// <summary>The only roots the server's chain may end at; null: the system's certificate authorities.</summary>
    public X509Certificate2Collection? TrustedAuthorities { get; }
}

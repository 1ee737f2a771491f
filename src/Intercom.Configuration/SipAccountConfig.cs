namespace Intercom.Configuration;

/// <summary>One SIP account (RFC 3261 §10): an address-of-record, its registrar and credentials.</summary>
public sealed class SipAccountConfig
{
    /// <summary>Short identifier referred to by ring groups and the web page.</summary>
    public string Id { get; set; } = "";

    /// <summary>Address-of-record, e.g. sip:door@pbx.example.org.</summary>
    public string Aor { get; set; } = "";

    public string? DisplayName { get; set; }

    /// <summary>Digest user name; defaults to the user part of <see cref="Aor"/>.</summary>
    public string? Username { get; set; }

    /// <summary>Digest password. Write-only: never logged, never returned by the API.</summary>
    public string? Password { get; set; }

    /// <summary>Registrar URI; defaults to the host of <see cref="Aor"/>. Empty with Register=false for direct IP calls.</summary>
    public string? Registrar { get; set; }

    /// <summary>Outbound proxy URI every request of this account is sent through (RFC 3261 §8.1.2).</summary>
    public string? OutboundProxy { get; set; }

    /// <summary>udp, tcp or tls.</summary>
    public string Transport { get; set; } = "udp";

    public bool Register { get; set; } = true;

    public int ExpiresSeconds { get; set; } = 600;

    /// <summary>
    /// SRTP policy: off, offered or required (RFC 3711, keyed by SDES over TLS), or dtls-srtp (keyed by a DTLS handshake on
    /// the media path, RFC 5763/5764; any transport).
    /// </summary>
    public string Srtp { get; set; } = "off";

    /// <summary>NAT keepalive (RFC 5626 §3.5.1): auto (CRLF on streams, OPTIONS on UDP), crlf, options or off.</summary>
    public string Keepalive { get; set; } = "auto";

    public int KeepaliveIntervalSeconds { get; set; } = 25;

    /// <summary>NAT traversal of the account: STUN servers for its calls (<c>"nat": { "stun": ["stun:HOST[:PORT]"] }</c>) and SIP outbound.</summary>
    public SipAccountNatConfig Nat { get; set; } = new();
}

using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Authentication;

namespace Intercom.Sip.UserAgent.Registration;

/// <summary>One account's registration settings (RFC 3261 §10.2). Defaults follow RFC 3261 and RFC 5626.</summary>
public sealed record RegistrationOptions
{
    /// <summary>The address-of-record, e.g. sip:door@example.com (To and From, RFC 3261 §10.2).</summary>
    public required SipUri AddressOfRecord { get; init; }

    /// <summary>The registrar's URI (Request-URI, no user part); by default the AOR's domain (RFC 3261 §10.2).</summary>
    public SipUri? Registrar { get; init; }

    /// <summary>An outbound proxy: REGISTER goes there with a Route header (RFC 3261 §8.1.2), located instead of the registrar.</summary>
    public SipUri? OutboundProxy { get; init; }

    /// <summary>The transport; by default the URI's transport parameter, then RFC 3263 location.</summary>
    public SipTransportProtocol? Transport { get; init; }

    /// <summary>Credentials for digest authentication; null registers without (a registrar that challenges then fails).</summary>
    public DigestCredentials? Credentials { get; init; }

    /// <summary>Display name in From, To and Contact.</summary>
    public string? DisplayName { get; init; }

    /// <summary>User part of the Contact; the AOR's user by default.</summary>
    public string? ContactUser { get; init; }

    /// <summary>The binding lifetime asked for (Expires). The registrar may grant less, or demand more with 423 (RFC 3261 §10.2.8).</summary>
    public TimeSpan Expires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Refreshes are never closer than this, however short the granted expiry.</summary>
    public TimeSpan MinimumRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Refreshes are never further apart than this (null: no cap). A short cap re-registers soon after a registrar
    /// restart lost its bindings, at the price of more REGISTERs.
    /// </summary>
    public TimeSpan? MaximumRefreshInterval { get; init; }

    /// <summary>RFC 5626 instance id, e.g. "urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF"; sent as +sip.instance when set.</summary>
    public string? InstanceId { get; init; }

    /// <summary>RFC 5626 reg-id, sent with <see cref="InstanceId"/>.</summary>
    public int? RegId { get; init; }

    /// <summary>
    /// Time between NAT keepalives; each is sent at a random 80–100% of it (RFC 5626 §4.4.1). Null: the registrar's
    /// Flow-Timer, else 25 s on UDP and 120 s on TCP/TLS. <see cref="TimeSpan.Zero"/> turns keepalives off.
    /// </summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>Keepalive on UDP: CRLF or OPTIONS.</summary>
    public SipKeepAliveMethod UdpKeepAlive { get; init; } = SipKeepAliveMethod.Crlf;

    /// <summary>Back-off base after a failure (RFC 5626 §4.5 base-time: 30 s); doubled per consecutive failure.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Back-off cap (RFC 5626 §4.5 max-time: 1800 s).</summary>
    public TimeSpan RetryMaximumDelay { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Rounds of refused credentials before giving up until <see cref="RegistrationClient.Start"/> is called again.</summary>
    public int MaxAuthenticationAttempts { get; init; } = 3;

    /// <summary>Hold-off between rounds after refused credentials.</summary>
    public TimeSpan AuthenticationRetryDelay { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>User-Agent header value, or null for none.</summary>
    public string? UserAgent { get; init; }
}

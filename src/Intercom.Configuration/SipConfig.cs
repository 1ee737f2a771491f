namespace Intercom.Configuration;

/// <summary>Signalling settings shared by all accounts: where the station listens and its RFC 3261 timers.</summary>
public sealed class SipConfig
{
    public List<SipListenerConfig> Listen { get; set; } = [new SipListenerConfig()];

    public SipTimersConfig Timers { get; set; } = new();

    public SipTlsConfig Tls { get; set; } = new();

    public SipRateLimitConfig RateLimit { get; set; } = new();

    /// <summary>Waits between failed registration attempts (RFC 5626 §4.5).</summary>
    public SipRegistrationBackoffConfig RegistrationBackoff { get; set; } = new();

    /// <summary>Digest authentication of incoming calls (off by default).</summary>
    public SipIncomingAuthConfig IncomingAuth { get; set; } = new();

    /// <summary>Sent in User-Agent and Server headers.</summary>
    public string UserAgent { get; set; } = "Intercom";
}

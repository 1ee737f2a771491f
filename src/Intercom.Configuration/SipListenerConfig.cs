namespace Intercom.Configuration;

/// <summary>One local SIP listening point (RFC 3261 §18).</summary>
public sealed class SipListenerConfig
{
    /// <summary>udp, tcp or tls.</summary>
    public string Transport { get; set; } = "udp";

    /// <summary>Local address; 0.0.0.0 or :: for all interfaces.</summary>
    public string Address { get; set; } = "0.0.0.0";

    public int Port { get; set; } = 5060;
}

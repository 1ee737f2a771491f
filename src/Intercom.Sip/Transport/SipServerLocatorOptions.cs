namespace Intercom.Sip.Transport;

/// <summary>Choices RFC 3263 leaves to the client.</summary>
public sealed class SipServerLocatorOptions
{
    /// <summary>
    /// Transports we can use, in order of preference when DNS has no NAPTR records (RFC 3263 §4.1) and the URI names no
    /// transport. Targets over other transports are never returned.
    /// </summary>
    public IReadOnlyList<SipTransportProtocol> Transports { get; init; } =
        [SipTransportProtocol.Udp, SipTransportProtocol.Tcp, SipTransportProtocol.Tls];

    /// <summary>Look up AAAA records as well as A records.</summary>
    public bool UseIPv6 { get; init; } = true;

    /// <summary>Put a host's IPv6 addresses before its IPv4 addresses.</summary>
    public bool PreferIPv6 { get; init; }
}

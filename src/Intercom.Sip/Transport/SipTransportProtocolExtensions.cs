namespace Intercom.Sip.Transport;

/// <summary>Facts about a <see cref="SipTransportProtocol"/> the layers above need.</summary>
public static class SipTransportProtocolExtensions
{
    /// <summary>
    /// True for TCP and TLS: RFC 3261 §17 sets retransmission timers (A, E, G) off and the wait timers (D, I, J, K) to zero.
    /// </summary>
    public static bool IsReliable(this SipTransportProtocol protocol) => protocol != SipTransportProtocol.Udp;

    /// <summary>True for TCP and TLS: messages are framed by Content-Length and flows are connections.</summary>
    public static bool IsStream(this SipTransportProtocol protocol) => protocol != SipTransportProtocol.Udp;

    /// <summary>The transport token in a Via header (RFC 3261 §20.42), e.g. "UDP".</summary>
    public static string ToViaToken(this SipTransportProtocol protocol) => protocol switch
    {
        SipTransportProtocol.Udp => "UDP",
        SipTransportProtocol.Tcp => "TCP",
        _ => "TLS",
    };

    /// <summary>The default port: 5060, or 5061 for TLS (RFC 3261 §19.1.2).</summary>
    public static int DefaultPort(this SipTransportProtocol protocol) => protocol == SipTransportProtocol.Tls ? 5061 : 5060;

    /// <summary>Parses a Via transport token or a URI transport parameter, case-insensitively (RFC 3261 §19.1.1, §20.42).</summary>
    public static bool TryParseSipTransport(ReadOnlySpan<char> token, out SipTransportProtocol protocol)
    {
        if (token.Equals("udp", StringComparison.OrdinalIgnoreCase))
        {
            protocol = SipTransportProtocol.Udp;
            return true;
        }

        if (token.Equals("tcp", StringComparison.OrdinalIgnoreCase))
        {
            protocol = SipTransportProtocol.Tcp;
            return true;
        }

        if (token.Equals("tls", StringComparison.OrdinalIgnoreCase))
        {
            protocol = SipTransportProtocol.Tls;
            return true;
        }

        protocol = default;
        return false;
    }
}

namespace Intercom.Sip.Transport;

/// <summary>Facts about a <see cref="SipTransportProtocol"/> the layers above need.</summary>
public static class SipTransportProtocolExtensions
{
    /// <summary>
    /// True for TCP and TLS: RFC 3261 §17 sets retransmission timers (A, E, G) off and the wait timers (D, I, J, K) to zero.
    /// </summary>
    public static bool IsReliable(this SipTransportProtocol protocol) => protocol != SipTransportProtocol.Udp;

    /// <summary>True for TCP, TLS and WebSocket: flows are connections (TCP and TLS frame messages by Content-Length).</summary>
    public static bool IsStream(this SipTransportProtocol protocol) => protocol != SipTransportProtocol.Udp;

    /// <summary>True for WS and WSS (RFC 7118): a connection the web server accepted, never one the station opens.</summary>
    public static bool IsWebSocket(this SipTransportProtocol protocol) => protocol is SipTransportProtocol.Ws or SipTransportProtocol.Wss;

    /// <summary>True for TLS and WSS: the hop is encrypted (what RFC 4568 §8.3 asks of a transport carrying SDES keys).</summary>
    public static bool IsSecure(this SipTransportProtocol protocol) => protocol is SipTransportProtocol.Tls or SipTransportProtocol.Wss;

    /// <summary>The transport token in a Via header (RFC 3261 §20.42), e.g. "UDP".</summary>
    public static string ToViaToken(this SipTransportProtocol protocol) => protocol switch
    {
        SipTransportProtocol.Udp => "UDP",
        SipTransportProtocol.Tcp => "TCP",
        SipTransportProtocol.Ws => "WS",
        SipTransportProtocol.Wss => "WSS",
        _ => "TLS",
    };

    /// <summary>The default port: 5060, 5061 for TLS (RFC 3261 §19.1.2), 80 and 443 for WS and WSS (RFC 7118 §5.2, RFC 6455 §3).</summary>
    public static int DefaultPort(this SipTransportProtocol protocol) => protocol switch
    {
        SipTransportProtocol.Tls => 5061,
        SipTransportProtocol.Ws => 80,
        SipTransportProtocol.Wss => 443,
        _ => 5060,
    };

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

        // RFC 7118 §5.1: "WS" and "WSS" in Via, "ws" and "wss" in a URI's transport parameter.
        if (token.Equals("ws", StringComparison.OrdinalIgnoreCase))
        {
            protocol = SipTransportProtocol.Ws;
            return true;
        }

        if (token.Equals("wss", StringComparison.OrdinalIgnoreCase))
        {
            protocol = SipTransportProtocol.Wss;
            return true;
        }

        protocol = default;
        return false;
    }
}

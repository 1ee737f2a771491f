namespace Intercom.Sip.Transport;

/// <summary>The transports this stack speaks (RFC 3261 §18, RFC 7118). SCTP is not supported.</summary>
public enum SipTransportProtocol
{
    /// <summary>UDP: unreliable, so transactions retransmit (RFC 3261 §17.1.1.2).</summary>
    Udp,

    /// <summary>TCP: reliable and stream-oriented, framed by Content-Length (RFC 3261 §18.3).</summary>
    Tcp,

    /// <summary>TLS over TCP (RFC 3261 §26.2, RFC 5630).</summary>
    Tls,

    /// <summary>
    /// SIP over a plain WebSocket (RFC 7118): reliable, one SIP message per WebSocket message. Only inbound: the web
    /// server accepts the connection and hands it over; the station never opens one.
    /// </summary>
    Ws,

    /// <summary>SIP over a WebSocket inside TLS (RFC 7118 §4: the "wss" URI scheme of RFC 6455).</summary>
    Wss,
}

namespace Intercom.Sip.Transport;

/// <summary>The transports this stack speaks (RFC 3261 §18). SCTP and WebSocket are not supported.</summary>
public enum SipTransportProtocol
{
    /// <summary>UDP: unreliable, so transactions retransmit (RFC 3261 §17.1.1.2).</summary>
    Udp,

    /// <summary>TCP: reliable and stream-oriented, framed by Content-Length (RFC 3261 §18.3).</summary>
    Tcp,

    /// <summary>TLS over TCP (RFC 3261 §26.2, RFC 5630).</summary>
    Tls,
}

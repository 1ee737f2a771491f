using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent.Registration;

/// <summary>
/// Sends the RFC 5626 §3.5.1 keepalive ping (CRLF CRLF) on the flow to a destination: the open TCP/TLS connection, or a
/// datagram from the UDP socket. Implemented over the transport layer by the composition root.
/// </summary>
public interface ISipKeepAliveSender
{
    /// <summary>Sends the ping; returns false when there is no flow to send it on (e.g. the connection closed).</summary>
    bool SendKeepAlive(SipDestination destination);
}

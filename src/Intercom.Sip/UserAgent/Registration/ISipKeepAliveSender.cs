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

    /// <summary>
    /// Drops the flow to a destination (closes its TCP/TLS connection) so that the next REGISTER opens a new one: the
    /// flow stopped answering pings (RFC 5626 §4.4.1). By default nothing: a sender without connections has none to drop.
    /// </summary>
    void CloseFlow(SipDestination destination)
    {
    }
}

namespace Intercom.Sip.Transport;

/// <summary>Why a send failed or a flow ended; RFC 3261 §17.1.1.2 / §17.1.2.2 map these to a 503-like failure of the transaction.</summary>
public enum SipTransportError
{
    /// <summary>The TCP connection could not be opened (refused, unreachable, timed out).</summary>
    ConnectFailed,

    /// <summary>The TLS handshake failed, including a peer certificate that failed validation.</summary>
    TlsHandshakeFailed,

    /// <summary>The socket refused the data (e.g. ICMP unreachable reported on UDP, a reset connection).</summary>
    SendFailed,

    /// <summary>The connection closed before the message could be written.</summary>
    ConnectionClosed,

    /// <summary>No listener exists for the transport and address family, so there is no socket to send from.</summary>
    NoTransport,

    /// <summary>The message is larger than the transport can carry.</summary>
    MessageTooLarge,

    /// <summary>
    /// The connection's send queue reached <see cref="SipTransportOptions.MaxSendQueueBytes"/> (the peer does not read):
    /// the connection was closed.
    /// </summary>
    SendQueueFull,
}

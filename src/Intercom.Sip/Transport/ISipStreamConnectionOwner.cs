namespace Intercom.Sip.Transport;

/// <summary>What a <see cref="SipStreamConnection"/> reports; called on the connection's I/O threads, never on the loop.</summary>
internal interface ISipStreamConnectionOwner
{
    /// <summary>The connection is open (and, for TLS, the handshake done) and can carry messages.</summary>
    void OnConnectionEstablished(SipStreamConnection connection);

    /// <summary>A complete framed message; the span is only valid during the call.</summary>
    void OnStreamMessage(SipStreamConnection connection, ReadOnlySpan<byte> message);

    /// <summary>An RFC 5626 §3.5.1 ping, already answered with a pong by the connection.</summary>
    void OnKeepAlivePing(SipStreamConnection connection);

    /// <summary>An RFC 5626 §3.5.1 pong (the ping was already answered by the connection).</summary>
    void OnKeepAlivePong(SipStreamConnection connection);

    /// <summary>The peer sent bytes that cannot be framed; the connection is being closed.</summary>
    void OnMalformedStream(SipStreamConnection connection);

    /// <summary>A queued send could not be delivered.</summary>
    void OnSendFailed(SipStreamConnection connection, ISipTransportErrorHandler? handler, SipTransportError error);

    /// <summary>The connection is closed for good.</summary>
    void OnConnectionClosed(SipStreamConnection connection);
}

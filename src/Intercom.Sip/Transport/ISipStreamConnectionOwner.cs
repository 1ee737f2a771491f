namespace Intercom.Sip.Transport;

/// <summary>What a <see cref="SipStreamConnection"/> reports; called on the connection's I/O threads, never on the loop.</summary>
internal interface ISipStreamConnectionOwner
{
    /// <summary>The connection is open (and, for TLS, the handshake done) and can carry messages.</summary>
    void OnConnectionEstablished(SipStreamConnection connection);

    /// <summary>A complete framed message; the span is only valid during the call.</summary>
    void OnStreamMessage(SipStreamConnection connection, ReadOnlySpan<byte> message);

    /// <summary>
    /// An RFC 5626 §3.5.1 ping: <see cref="SipRateLimitVerdict.Accept"/> to answer it with a pong (unless one is
    /// pending), <see cref="SipRateLimitVerdict.Refuse"/> to let it go unanswered, <see cref="SipRateLimitVerdict.Drop"/>
    /// to close the connection.
    /// </summary>
    SipRateLimitVerdict OnKeepAlivePing(SipStreamConnection connection);

    /// <summary>An RFC 5626 §3.5.1 pong (the ping was already answered by the connection).</summary>
    void OnKeepAlivePong(SipStreamConnection connection);

    /// <summary>The peer sent bytes that cannot be framed; the connection is being closed.</summary>
    void OnMalformedStream(SipStreamConnection connection);

    /// <summary>
    /// The send queue is full (<paramref name="queuedBytes"/> waiting, the peer is not reading): the connection is being
    /// closed with <see cref="SipTransportError.SendQueueFull"/>. Called once per connection at most.
    /// </summary>
    void OnSendQueueFull(SipStreamConnection connection, long queuedBytes);

    /// <summary>A queued send could not be delivered.</summary>
    void OnSendFailed(SipStreamConnection connection, ISipTransportErrorHandler? handler, SipTransportError error);

    /// <summary>The connection is closed for good.</summary>
    void OnConnectionClosed(SipStreamConnection connection);
}

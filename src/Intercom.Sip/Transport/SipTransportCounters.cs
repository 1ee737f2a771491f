namespace Intercom.Sip.Transport;

/// <summary>Counts of what the transport layer saw; updated from I/O threads, read from anywhere.</summary>
public sealed class SipTransportCounters
{
    private long _messagesReceived;
    private long _messagesSent;
    private long _badRequestsAnswered;
    private long _unparseableDropped;
    private long _malformedStreamsClosed;
    private long _keepAlivePingsAnswered;
    private long _connectionsOpened;
    private long _connectionsAccepted;
    private long _idleConnectionsClosed;
    private long _sendFailures;
    private long _keepAlivePingsRefused;
    private long _connectionsRefused;
    private long _sendQueueOverflows;

    /// <summary>Messages parsed and passed up.</summary>
    public long MessagesReceived => Volatile.Read(ref _messagesReceived);

    /// <summary>Messages handed to a socket or connection queue.</summary>
    public long MessagesSent => Volatile.Read(ref _messagesSent);

    /// <summary>Unparseable requests answered with 400 (or the parser's status) because the error allowed it.</summary>
    public long BadRequestsAnswered => Volatile.Read(ref _badRequestsAnswered);

    /// <summary>Unparseable messages dropped silently (responses, or requests too broken to answer).</summary>
    public long UnparseableDropped => Volatile.Read(ref _unparseableDropped);

    /// <summary>TCP/TLS connections closed because their bytes could not be framed.</summary>
    public long MalformedStreamsClosed => Volatile.Read(ref _malformedStreamsClosed);

    /// <summary>RFC 5626 CRLFCRLF pings admitted and answered: by a CRLF pong, or by the one already pending.</summary>
    public long KeepAlivePingsAnswered => Volatile.Read(ref _keepAlivePingsAnswered);

    /// <summary>Outbound connections opened.</summary>
    public long ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    /// <summary>Inbound connections accepted.</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>Connections closed for idleness.</summary>
    public long IdleConnectionsClosed => Volatile.Read(ref _idleConnectionsClosed);

    /// <summary>Sends that failed.</summary>
    public long SendFailures => Volatile.Read(ref _sendFailures);

    /// <summary>RFC 5626 pings over their source's rate budget: not answered (or the connection closed, if blocked).</summary>
    public long KeepAlivePingsRefused => Volatile.Read(ref _keepAlivePingsRefused);

    /// <summary>Inbound connections refused at accept by the per-source or total cap.</summary>
    public long ConnectionsRefused => Volatile.Read(ref _connectionsRefused);

    /// <summary>Connections closed because their send queue was full (the peer did not read).</summary>
    public long SendQueueOverflows => Volatile.Read(ref _sendQueueOverflows);

    internal void MessageReceived() => Interlocked.Increment(ref _messagesReceived);

    internal void MessageSent() => Interlocked.Increment(ref _messagesSent);

    internal void BadRequestAnswered() => Interlocked.Increment(ref _badRequestsAnswered);

    internal void UnparseableDrop() => Interlocked.Increment(ref _unparseableDropped);

    internal void MalformedStreamClosed() => Interlocked.Increment(ref _malformedStreamsClosed);

    internal void KeepAlivePingAnswered() => Interlocked.Increment(ref _keepAlivePingsAnswered);

    internal void ConnectionOpened() => Interlocked.Increment(ref _connectionsOpened);

    internal void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);

    internal void IdleConnectionClosed() => Interlocked.Increment(ref _idleConnectionsClosed);

    internal void SendFailure() => Interlocked.Increment(ref _sendFailures);

    internal void KeepAlivePingRefused() => Interlocked.Increment(ref _keepAlivePingsRefused);

    internal void ConnectionRefused() => Interlocked.Increment(ref _connectionsRefused);

    internal void SendQueueOverflow() => Interlocked.Increment(ref _sendQueueOverflows);
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;

namespace Intercom.Sip.Transport;

/// <summary>
/// One TCP or TLS connection: a reader that frames messages (RFC 3261 §18.3) and answers keepalive pings (RFC 5626
/// §3.5.1), and a writer that drains a queue so the SIP loop never blocks on a socket. Lives off the loop; reports
/// through <see cref="ISipStreamConnectionOwner"/>. Bounded whatever the peer does: the queue holds at most
/// <see cref="SipTransportOptions.MaxSendQueueBytes"/> (one byte more closes the connection), at most one pong is ever
/// pending (pings that arrive while one is queued are answered by it, RFC 5626 §4.4.1: a pong answers the pings so far),
/// and the framer's buffer grows only as far as one message needs. A WebSocket connection (RFC 7118) shares the queue,
/// the limits and the owner's rules; only how messages cross the wire differs (SipStreamConnection.WebSocket.cs).
/// </summary>
internal sealed partial class SipStreamConnection
{
    private static readonly byte[] Pong = "\r\n"u8.ToArray();

    private readonly ISipStreamConnectionOwner _owner;
    private readonly SipTransportOptions _options;
    private readonly SipStreamFramer _framer;
    // Bounded in bytes by Enqueue, not by the channel. Two readers: the writer, and Close draining what is left.
    private readonly Channel<SipOutgoingSegment> _outgoing =
        Channel.CreateUnbounded<SipOutgoingSegment>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private Socket? _socket;
    private Stream? _stream;
    private int _closed;
    private int _started;
    private int _closeReason = (int)SipTransportError.ConnectionClosed;
    private bool _connectOnStart;
    private long _lastActivity;
    private long _queuedBytes;
    private int _pongPending;
    private int _queueFullReported;
    private long _pongsCoalesced;

    private SipStreamConnection(
        ISipStreamConnectionOwner owner,
        SipTransportOptions options,
        TimeProvider time,
        SipTransportProtocol protocol,
        IPEndPoint remote,
        string? serverName,
        bool isInbound)
    {
        _owner = owner;
        _options = options;
        _time = time;
        Protocol = protocol;
        RemoteEndPoint = remote;
        ServerName = serverName;
        IsInbound = isInbound;
        _framer = new SipStreamFramer(options.MaxHeaderBytes, options.MaxBodyBytes);
        Touch();
    }

    public SipTransportProtocol Protocol { get; }

    public IPEndPoint RemoteEndPoint { get; }

    public IPEndPoint? LocalEndPoint { get; private set; }

    public string? ServerName { get; }

    public bool IsInbound { get; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Completes when the connection has closed for good (a web server's request ends with its WebSocket).</summary>
    public Task Completion => _closedTask.Task;

    /// <summary>When bytes last went in or out, as a <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>The flow this connection is, for responses and RFC 5626 keepalives.</summary>
    public SipFlow? Flow { get; set; }

    /// <summary>True for an inbound connection that holds a slot of the layer's <see cref="SipConnectionQuota"/>.</summary>
    public bool HoldsQuota { get; init; }

    /// <summary>Bytes queued and not yet written to the socket (the one being written included).</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>True while a pong is queued or being written.</summary>
    public bool PongPending => Volatile.Read(ref _pongPending) != 0;

    /// <summary>Pings answered by a pong that was already pending instead of one of their own.</summary>
    public long PongsCoalesced => Interlocked.Read(ref _pongsCoalesced);

    /// <summary>The framer's buffer size now.</summary>
    public int ReceiveBufferBytes => _framer.Capacity;

    public static SipStreamConnection Accept(
        ISipStreamConnectionOwner owner,
        SipTransportOptions options,
        TimeProvider time,
        SipTransportProtocol protocol,
        Socket socket,
        IPEndPoint remote,
        bool holdsQuota)
    {
        var connection = new SipStreamConnection(owner, options, time, protocol, remote, null, isInbound: true)
        {
            _socket = socket,
            LocalEndPoint = Normalize((IPEndPoint)socket.LocalEndPoint!),
            HoldsQuota = holdsQuota,
        };
        connection.EnsureStarted();
        return connection;
    }

    public static SipStreamConnection Connect(
        ISipStreamConnectionOwner owner,
        SipTransportOptions options,
        TimeProvider time,
        SipDestination destination)
    {
        // Not started: the caller queues its first message, then calls EnsureStarted, so a connect that fails at once
        // still reports that message's failure with the right reason.
        return new SipStreamConnection(
            owner, options, time, destination.Protocol, destination.EndPoint, destination.ServerName, isInbound: false)
        {
            _connectOnStart = true,
        };
    }

    /// <summary>Starts connecting (outbound connections); later calls do nothing.</summary>
    public void EnsureStarted()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            // Never inline: while a peer keeps data coming every read completes at once, and the read loop would run on
            // the caller's thread — the listener's accept loop (no other connection accepted meanwhile) or the SIP loop.
            ThreadPool.UnsafeQueueUserWorkItem(
                static c => _ = c._webSocket is null ? c.RunAsync(c._connectOnStart) : c.RunWebSocketAsync(), this, preferLocal: false);
        }
    }

    /// <summary>Why the connection closed (meaningful once <see cref="IsClosed"/>).</summary>
    public SipTransportError CloseReason => (SipTransportError)Volatile.Read(ref _closeReason);

    /// <summary>
    /// Queues bytes; thread-safe. Returns false (and releases nothing) if the connection is already closed, or if the
    /// segment would take the queue beyond <see cref="SipTransportOptions.MaxSendQueueBytes"/>: then the connection is
    /// closed with <see cref="SipTransportError.SendQueueFull"/> (the peer is not reading what it is sent).
    /// </summary>
    public bool Enqueue(in SipOutgoingSegment segment)
    {
        if (IsClosed)
        {
            return false;
        }

        var queued = Interlocked.Add(ref _queuedBytes, segment.Length);
        if (queued > _options.MaxSendQueueBytes)
        {
            Interlocked.Add(ref _queuedBytes, -segment.Length);
            if (!IsClosed && Interlocked.Exchange(ref _queueFullReported, 1) == 0)
            {
                _owner.OnSendQueueFull(this, queued - segment.Length);
            }

            Close(SipTransportError.SendQueueFull);
            return false;
        }

        if (_outgoing.Writer.TryWrite(segment))
        {
            return true;
        }

        Interlocked.Add(ref _queuedBytes, -segment.Length);
        return false;
    }

    /// <summary>Closes the connection; queued sends fail with <see cref="SipTransportError.ConnectionClosed"/>.</summary>
    public void Close() => Close(SipTransportError.ConnectionClosed);

    internal static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    private async Task RunAsync(bool connect)
    {
        var failure = SipTransportError.ConnectFailed;
        try
        {
            if (connect)
            {
                _socket = new Socket(RemoteEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token))
                {
                    timeout.CancelAfter(_options.ConnectTimeout);
                    await _socket.ConnectAsync(RemoteEndPoint, timeout.Token).ConfigureAwait(false);
                }

                LocalEndPoint = Normalize((IPEndPoint)_socket.LocalEndPoint!);
            }
            else
            {
                _socket!.NoDelay = true;
            }

            var network = new NetworkStream(_socket!, ownsSocket: true);
            if (Protocol == SipTransportProtocol.Tls)
            {
                failure = SipTransportError.TlsHandshakeFailed;
                _stream = await AuthenticateAsync(network, connect).ConfigureAwait(false);
            }
            else
            {
                _stream = network;
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or AuthenticationException or ObjectDisposedException)
        {
            Close(failure);
            return;
        }

        Touch();
        _owner.OnConnectionEstablished(this);
        var writer = WriteLoopAsync();
        await ReadLoopAsync().ConfigureAwait(false);
        await writer.ConfigureAwait(false);
    }

    private async Task<Stream> AuthenticateAsync(NetworkStream network, bool asClient)
    {
        var tls = _options.Tls;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            if (asClient)
            {
                var clientOptions = new SslClientAuthenticationOptions
                {
                    TargetHost = ServerName ?? RemoteEndPoint.Address.ToString(),
                    RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
                        SipCertificateValidator.Validate(tls.ServerValidation, tls, cert, chain, errors, isServerCertificate: true),
                };
                if (tls.Certificate is not null)
                {
                    clientOptions.ClientCertificates = [tls.Certificate];
                }

                await ssl.AuthenticateAsClientAsync(clientOptions, timeout.Token).ConfigureAwait(false);
            }
            else
            {
                var serverOptions = new SslServerAuthenticationOptions
                {
                    ServerCertificate = tls.Certificate,
                    ClientCertificateRequired = tls.ClientValidation != SipTlsPeerValidation.None,
                    RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
                        SipCertificateValidator.Validate(tls.ClientValidation, tls, cert, chain, errors, isServerCertificate: false),
                };
                await ssl.AuthenticateAsServerAsync(serverOptions, timeout.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return ssl;
    }

    private async Task ReadLoopAsync()
    {
        var stream = _stream!;
        try
        {
            while (!IsClosed)
            {
                var memory = _framer.GetWriteMemory();
                if (memory.IsEmpty)
                {
                    _owner.OnMalformedStream(this);
                    break;
                }

                var read = await stream.ReadAsync(memory, _closing.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                Touch();
                _framer.Advance(read);
                if (!DrainFrames())
                {
                    _owner.OnMalformedStream(this);
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer reset or we are closing: both end the flow the same way.
        }

        Close(SipTransportError.ConnectionClosed);
    }

    private bool DrainFrames()
    {
        while (true)
        {
            switch (_framer.TryReadFrame(out var message))
            {
                case SipFrameKind.NeedMoreData:
                    return true;
                case SipFrameKind.Message:
                    _owner.OnStreamMessage(this, message);
                    break;
                case SipFrameKind.KeepAlivePing:
                    if (!AnswerPing())
                    {
                        return true;
                    }

                    break;
                case SipFrameKind.KeepAlivePong:
                    _owner.OnKeepAlivePong(this);
                    break;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// RFC 5626 §3.5.1: a CRLFCRLF ping is answered with a single CRLF pong — once the owner's rate limiter admits it,
    /// and only if no pong is pending already: a pong answers every ping before it (§4.4.1), so a peer that pings
    /// faster than it reads gets one pong, not a queue of them. Returns false when the connection is closing.
    /// </summary>
    private bool AnswerPing()
    {
        // Counted before the pong is queued, so that a peer which has the pong can rely on the count (the send may
        // complete on another thread at once).
        switch (_owner.OnKeepAlivePing(this))
        {
            case SipRateLimitVerdict.Accept:
                break;
            case SipRateLimitVerdict.Refuse:
                // Over the source's budget: no pong for this one.
                return true;
            default:
                // The source is blocked: silence over a stream is a closed stream.
                Close(SipTransportError.ConnectionClosed);
                return false;
        }

        if (Interlocked.CompareExchange(ref _pongPending, 1, 0) != 0)
        {
            Interlocked.Increment(ref _pongsCoalesced);
            return true;
        }

        if (!Enqueue(new SipOutgoingSegment(Pong, Pong.Length, Pooled: false, Handler: null)))
        {
            Volatile.Write(ref _pongPending, 0);
            return !IsClosed;
        }

        return true;
    }

    private async Task WriteLoopAsync()
    {
        var stream = _stream!;
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var segment))
                {
                    try
                    {
                        await stream.WriteAsync(segment.Buffer.AsMemory(0, segment.Length), _closing.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        _owner.OnSendFailed(this, segment.Handler, SipTransportError.SendFailed);
                        segment.Release();
                        Close(SipTransportError.ConnectionClosed);
                        return;
                    }

                    Interlocked.Add(ref _queuedBytes, -segment.Length);
                    if (ReferenceEquals(segment.Buffer, Pong))
                    {
                        // Written: the next ping gets a pong of its own.
                        Volatile.Write(ref _pongPending, 0);
                    }

                    segment.Release();
                    Touch();
                }

                await stream.FlushAsync(_closing.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Close(SipTransportError.ConnectionClosed);
        }
    }

    private void Close(SipTransportError queuedError)
    {
        if (IsClosed)
        {
            return;
        }

        // Written before the close is visible, so whoever sees IsClosed reads a true reason (of one of the racing closers).
        Volatile.Write(ref _closeReason, (int)queuedError);
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        _closing.Cancel();
        try
        {
            _stream?.Dispose();
            _socket?.Dispose();
            _webSocket?.Abort();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Already torn down by the peer.
        }

        while (_outgoing.Reader.TryRead(out var segment))
        {
            Interlocked.Add(ref _queuedBytes, -segment.Length);
            if (segment.Handler is not null)
            {
                _owner.OnSendFailed(this, segment.Handler, queuedError);
            }

            segment.Release();
        }

        _owner.OnConnectionClosed(this);
        _closedTask.TrySetResult();
    }
}

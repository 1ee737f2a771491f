using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Sip.Transport;

/// <summary>
/// The RFC 3261 §18 transport layer: owns the UDP, TCP and TLS listeners, sends messages to destinations (reusing
/// TCP/TLS connections per remote endpoint, opening them on demand, closing them when idle), frames streams, stamps
/// received/rport on incoming requests (§18.2.1, RFC 3581 §4), routes responses back per §18.2.2, answers and sends
/// RFC 5626 keepalives, and answers unparseable requests with 400 when it can. Parsing runs on the I/O threads; all
/// state (the connection table) belongs to the <see cref="SipLoop"/>, where every public member must be called.
/// What a peer can make it hold is bounded: inbound connections per source and in all
/// (<see cref="SipRateLimitOptions.MaxConnectionsPerSource"/>, <see cref="SipRateLimitOptions.MaxConnections"/>), bytes
/// queued per connection (<see cref="SipTransportOptions.MaxSendQueueBytes"/>), one pending pong per connection, and a
/// receive buffer per connection that grows only as far as one message needs.
/// </summary>
public sealed partial class SipTransportLayer : ISipTransport, ISipStreamConnectionOwner, IDisposable
{
    private static readonly byte[] KeepAlivePing = "\r\n\r\n"u8.ToArray();

    private readonly SipLoop _loop;
    private readonly SipTransportOptions _options;
    private readonly List<SipUdpChannel> _udp = [];
    private readonly List<SipStreamListener> _streamListeners = [];
    private readonly List<SipListener> _listeners = [];
    // Keyed by remote endpoint, and for outbound TLS also by the name the certificate was validated for, so a connection
    // checked for one domain is never reused for another (RFC 5922 §7).
    private readonly Dictionary<(SipTransportProtocol, IPEndPoint, string?), SipStreamConnection> _connections = [];
    private readonly Dictionary<IPAddress, IPAddress> _localAddressFor = [];
    private readonly ArrayBufferWriter<byte> _scratch = new(4096);
    private readonly SipTimer _idleSweep;
    private readonly SipSourceRateLimiter? _limiter;
    private readonly SipConnectionQuota _quota;
    private readonly SipClientBranches _clientBranches;
    private readonly ILogger _log;
    private readonly Lock _refusalLog = new();
    private long _lastRefusalLog = long.MinValue;
    private int _refusalsNotLogged;
    private ISipTransportUser? _user;
    private bool _disposed;

    /// <summary>Creates a transport layer with no listeners.</summary>
    /// <param name="loop">The SIP loop that owns the layer's state.</param>
    /// <param name="options">Limits and timeouts; null: the defaults.</param>
    /// <param name="log">Where refused connections and overflowing send queues are reported; null: nowhere.</param>
    public SipTransportLayer(SipLoop loop, SipTransportOptions? options = null, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(loop);
        _loop = loop;
        _options = options ?? new SipTransportOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxSendQueueBytes, 1);
        _log = log ?? NullLogger.Instance;
        _idleSweep = loop.CreateTimer(static s => ((SipTransportLayer)s!).SweepIdleConnections(), this);
        _limiter = _options.RateLimit is { Enabled: true } limits ? new SipSourceRateLimiter(limits, loop.TimeProvider) : null;
        var caps = _options.RateLimit ?? new SipRateLimitOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(caps.MaxConnectionsPerSource, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(caps.MaxConnections, 1);
        _quota = new SipConnectionQuota(caps.MaxConnectionsPerSource, caps.MaxConnections);
        _clientBranches = new SipClientBranches(loop.TimeProvider);
    }

    /// <summary>The per-source limiter, when <see cref="SipTransportOptions.RateLimit"/> enables one.</summary>
    public SipSourceRateLimiter? RateLimiter => _limiter;

    /// <summary>What the layer counted.</summary>
    public SipTransportCounters Counters { get; } = new();

    /// <summary>The listeners, in the order they were added.</summary>
    public IReadOnlyList<SipListener> Listeners => _listeners;

    /// <summary>Open TCP/TLS connections, inbound and outbound.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Inbound TCP/TLS connections holding a slot of the caps now (any thread).</summary>
    public int InboundConnectionCount => _quota.Count;

    /// <summary>The open connections (for tests: their queues and buffers); on the loop.</summary>
    internal IEnumerable<SipStreamConnection> Connections => _connections.Values;

    /// <summary>
    /// Called on the loop when a TCP/TLS connection closes (peer, error, idleness): a registration over that flow must be
    /// refreshed (RFC 5626 §4.4).
    /// </summary>
    public Action<SipDestination>? ConnectionClosed { get; set; }

    /// <summary>Called on the loop when an RFC 5626 pong arrives on a connection.</summary>
    public Action<SipDestination>? KeepAlivePongReceived { get; set; }

    /// <summary>
    /// Starts listening. Port 0 picks a free port (see the returned <see cref="SipListener.LocalEndPoint"/>). Binding
    /// [::] also accepts IPv4.
    /// </summary>
    /// <param name="protocol">UDP, TCP or TLS (TLS needs <see cref="SipTlsOptions.Certificate"/>).</param>
    /// <param name="bindTo">Local address and port.</param>
    /// <param name="advertisedHost">Host to put in Via sent-by instead of the local address (e.g. a public name).</param>
    public SipListener AddListener(SipTransportProtocol protocol, IPEndPoint bindTo, string? advertisedHost = null)
    {
        ArgumentNullException.ThrowIfNull(bindTo);
        ObjectDisposedException.ThrowIf(_disposed, this);
        IPEndPoint local;
        if (protocol == SipTransportProtocol.Udp)
        {
            var channel = new SipUdpChannel(bindTo, OnDatagram);
            _udp.Add(channel);
            channel.Start();
            local = channel.LocalEndPoint;
        }
        else
        {
            if (protocol == SipTransportProtocol.Tls && _options.Tls.Certificate is null)
            {
                throw new InvalidOperationException("A TLS listener needs SipTransportOptions.Tls.Certificate.");
            }

            var listener = new SipStreamListener(protocol, bindTo, OnAccepted);
            _streamListeners.Add(listener);
            listener.Start();
            local = listener.LocalEndPoint;
        }

        var info = new SipListener(protocol, local, advertisedHost);
        _listeners.Add(info);
        return info;
    }

    /// <summary>
    /// Records the web server's WebSocket endpoint (RFC 7118) as a listener, so requests and responses over WS or WSS carry
    /// its address in Via and Contact. The web server owns the socket; connections arrive by <see cref="AcceptWebSocketAsync"/>.
    /// </summary>
    /// <param name="protocol">WS or WSS.</param>
    /// <param name="localEndPoint">The web server's bound address and port.</param>
    /// <param name="advertisedHost">Host to put in Via sent-by instead of the local address, or null.</param>
    public SipListener AddWebSocketListener(SipTransportProtocol protocol, IPEndPoint localEndPoint, string? advertisedHost = null)
    {
        ArgumentNullException.ThrowIfNull(localEndPoint);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!protocol.IsWebSocket())
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "A WebSocket listener is WS or WSS.");
        }

        var info = new SipListener(protocol, SipStreamConnection.Normalize(localEndPoint), advertisedHost);
        _listeners.Add(info);
        return info;
    }

    /// <summary>
    /// Takes over a WebSocket the web server accepted with the "sip" subprotocol (RFC 7118 §4; the server checked the
    /// handshake and its Origin): from here it is a connection like a TCP or TLS one, under the same per-source and total
    /// connection caps, the same per-source message budget and the same message size limits. Any thread.
    /// </summary>
    /// <param name="webSocket">The accepted WebSocket.</param>
    /// <param name="protocol">WS or WSS.</param>
    /// <param name="remote">The client's address.</param>
    /// <param name="local">The web server's address.</param>
    /// <param name="webUser">
    /// The web user whose logged-in page (a session cookie, the station's own Origin) opened the WebSocket, or null; see
    /// <see cref="SipFlow.WebUser"/>.
    /// </param>
    /// <returns>A task that completes when the connection has closed: the web server's request must last as long.</returns>
    public Task AcceptWebSocketAsync(System.Net.WebSockets.WebSocket webSocket, SipTransportProtocol protocol, IPEndPoint remote, IPEndPoint local,
        string? webUser = null)
    {
        ArgumentNullException.ThrowIfNull(webSocket);
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(local);
        if (!protocol.IsWebSocket())
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "A WebSocket connection is WS or WSS.");
        }

        var peer = SipStreamConnection.Normalize(remote);
        if (_disposed || (_limiter is { } limiter && limiter.IsBlocked(peer.Address)))
        {
            webSocket.Abort();
            return Task.CompletedTask;
        }

        if (!_quota.TryAcquire(peer.Address, out var perSourceCap))
        {
            Counters.ConnectionRefused();
            webSocket.Abort();
            LogRefusal(protocol, peer, perSourceCap);
            return Task.CompletedTask;
        }

        var connection = SipStreamConnection.AcceptWebSocket(this, _options, _loop.TimeProvider, protocol, webSocket, peer, local, holdsQuota: true, webUser);
        _loop.Post(static s =>
        {
            var (layer, c) = ((SipTransportLayer, SipStreamConnection))s!;
            if (!c.IsClosed && !layer._disposed)
            {
                // RFC 7118 §5: requests to the client (a BYE, a call to a registered page) can only go back over its own
                // connection: its Contact's host is a made-up .invalid name.
                layer._connections[ConnectionKey(c.Protocol, c.RemoteEndPoint, null)] = c;
                layer.ArmIdleSweep();
            }
        }, (this, connection));
        return connection.Completion;
    }

    /// <inheritdoc/>
    public void SetUser(ISipTransportUser user) => _user = user;

    /// <inheritdoc/>
    public SipVia CreateVia(SipDestination destination, string branch)
    {
        var listener = FindListener(destination.Protocol, destination.EndPoint.AddressFamily)
            ?? FindListener(SipTransportProtocol.Udp, destination.EndPoint.AddressFamily);
        string host;
        if (listener?.AdvertisedHost is { } advertised)
        {
            host = advertised;
        }
        else
        {
            var address = listener is not null && !IsAny(listener.LocalEndPoint.Address)
                ? listener.LocalEndPoint.Address
                : LocalAddressFor(destination.EndPoint.Address);
            host = address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
        }

        var port = listener?.LocalEndPoint.Port ?? destination.Protocol.DefaultPort();
        var via = new SipVia(destination.Protocol.ToViaToken(), host, port, branch);

        // RFC 3581 §3: ask the server to report our source port, so responses traverse NAT.
        via.Parameters.Add("rport");
        return via;
    }

    /// <inheritdoc/>
    public void SendRequest(SipRequest request, SipDestination destination, ISipTransportErrorHandler? errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (destination.Protocol == SipTransportProtocol.Udp && request.Method != SipMethods.Ack && request.TopVia?.Branch is { } branch)
        {
            // Its responses come back as datagrams anyone could forge: remember the branch so that they can be told apart.
            _clientBranches.Record(branch);
        }

        Send(request, destination, errors);
    }

    /// <inheritdoc/>
    public void SendResponse(SipResponse response, SipFlow? flow, ISipTransportErrorHandler? errors)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (flow?.Connection is { IsClosed: false } connection)
        {
            // §18.2.2: over a stream, the response goes back on the connection the request came in on.
            SendOnConnection(response, connection, errors);
            return;
        }

        var via = response.TopVia;
        if (via is null)
        {
            return;
        }

        var protocol = flow?.Protocol ?? (SipTransportProtocolExtensions.TryParseSipTransport(via.Transport, out var p) ? p : SipTransportProtocol.Udp);
        if (!TryResponseTarget(via, protocol, out var target))
        {
            Report(errors, new SipDestination(protocol, new IPEndPoint(IPAddress.None, 0)), SipTransportError.SendFailed);
            return;
        }

        if (protocol == SipTransportProtocol.Udp && flow?.Channel is { } channel)
        {
            // RFC 3581 §4: from the same socket the request arrived on, so NAT bindings match.
            SendDatagram(response, channel, target, errors);
            return;
        }

        Send(response, new SipDestination(protocol, target), errors);
    }

    /// <summary>Sends one RFC 5626 §4.4.1 CRLFCRLF keepalive to <paramref name="destination"/> (over its connection for TCP/TLS).</summary>
    public void SendKeepAlive(SipDestination destination)
    {
        if (destination.Protocol == SipTransportProtocol.Udp)
        {
            FindChannel(destination.EndPoint)?.Send(KeepAlivePing, destination.EndPoint);
            return;
        }

        if (destination.Protocol.IsWebSocket())
        {
            // RFC 7118 has no CRLF keepalive (a WebSocket has ping frames of its own); the station never opens one anyway.
            return;
        }

        var connection = GetOrOpenConnection(destination);
        connection.Enqueue(new SipOutgoingSegment(KeepAlivePing, KeepAlivePing.Length, Pooled: false, Handler: null));
        connection.EnsureStarted();
    }

    /// <summary>
    /// Closes the TCP/TLS connection to <paramref name="destination"/>, if one is open, and forgets it at once: the next
    /// message to it opens a new connection (a new flow, RFC 5626 §4.4.1) instead of queueing on one that stopped
    /// answering. Nothing happens for UDP.
    /// </summary>
    public void CloseConnection(SipDestination destination)
    {
        var key = ConnectionKey(destination.Protocol, destination.EndPoint, destination.ServerName);
        if (destination.Protocol.IsStream() && _connections.Remove(key, out var connection))
        {
            connection.Close();
        }
    }

    /// <summary>
    /// Sends keepalives to <paramref name="destination"/> every 80–100 % of <paramref name="interval"/> (RFC 5626 §4.4.1
    /// jitter) until the returned handle is disposed.
    /// </summary>
    public IDisposable StartKeepAlive(SipDestination destination, TimeSpan interval) => new SipKeepAlive(this, _loop, destination, interval);

    /// <summary>Stops listeners and closes every connection.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _idleSweep.Dispose();
        foreach (var channel in _udp)
        {
            channel.Dispose();
        }

        foreach (var listener in _streamListeners)
        {
            listener.Dispose();
        }

        foreach (var connection in _connections.Values.ToArray())
        {
            connection.Close();
        }

        _connections.Clear();
    }

    void ISipStreamConnectionOwner.OnConnectionEstablished(SipStreamConnection connection)
    {
        if (connection.IsInbound)
        {
            Counters.ConnectionAccepted();
        }
        else
        {
            Counters.ConnectionOpened();
        }
    }

    void ISipStreamConnectionOwner.OnStreamMessage(SipStreamConnection connection, ReadOnlySpan<byte> message)
    {
        var verdict = _limiter?.Admit(connection.RemoteEndPoint.Address, SipSourceKind.Stream) ?? SipRateLimitVerdict.Accept;
        if (verdict == SipRateLimitVerdict.Drop)
        {
            // A blocked source loses its connection: silence over a stream is a closed stream.
            connection.Close();
            return;
        }

        var flow = connection.Flow ??= new SipFlow(connection.Protocol, connection.LocalEndPoint!, connection.RemoteEndPoint, connection, null);
        Receive(message, flow, verdict == SipRateLimitVerdict.Refuse);
    }

    SipRateLimitVerdict ISipStreamConnectionOwner.OnKeepAlivePing(SipStreamConnection connection)
    {
        // A ping costs what a message costs to answer: it spends the source's budget like one, so a ping flood ends
        // with the source blocked and its connection closed, not with a pong per ping.
        var verdict = _limiter?.Admit(connection.RemoteEndPoint.Address, SipSourceKind.Stream) ?? SipRateLimitVerdict.Accept;
        if (verdict == SipRateLimitVerdict.Accept)
        {
            Counters.KeepAlivePingAnswered();
        }
        else
        {
            Counters.KeepAlivePingRefused();
        }

        return verdict;
    }

    void ISipStreamConnectionOwner.OnSendQueueFull(SipStreamConnection connection, long queuedBytes)
    {
        Counters.SendQueueOverflow();
        LogSendQueueFull(_log, connection.Protocol, connection.RemoteEndPoint, queuedBytes);
    }

    void ISipStreamConnectionOwner.OnKeepAlivePong(SipStreamConnection connection) =>
        _loop.Post(static s =>
        {
            var (layer, c) = ((SipTransportLayer, SipStreamConnection))s!;
            layer.KeepAlivePongReceived?.Invoke(new SipDestination(c.Protocol, c.RemoteEndPoint, c.ServerName));
        }, (this, connection));

    void ISipStreamConnectionOwner.OnMalformedStream(SipStreamConnection connection) => Counters.MalformedStreamClosed();

    void ISipStreamConnectionOwner.OnSendFailed(SipStreamConnection connection, ISipTransportErrorHandler? handler, SipTransportError error)
    {
        Counters.SendFailure();
        if (handler is not null)
        {
            Report(handler, new SipDestination(connection.Protocol, connection.RemoteEndPoint, connection.ServerName), error);
        }
    }

    void ISipStreamConnectionOwner.OnConnectionClosed(SipStreamConnection connection)
    {
        if (connection.HoldsQuota)
        {
            // At once, on the I/O thread: the slot is free for the next accept whatever the loop is doing.
            _quota.Release(connection.RemoteEndPoint.Address);
        }

        _loop.Post(static s =>
        {
            var (layer, c) = ((SipTransportLayer, SipStreamConnection))s!;
            var key = ConnectionKey(c.Protocol, c.RemoteEndPoint, c.ServerName);
            if (layer._connections.TryGetValue(key, out var current) && ReferenceEquals(current, c))
            {
                layer._connections.Remove(key);
            }

            layer.ConnectionClosed?.Invoke(new SipDestination(c.Protocol, c.RemoteEndPoint, c.ServerName));
        }, (this, connection));
    }

    /// <summary>§18.2.2 (with RFC 3581 §4): where a response goes when there is no open connection to use.</summary>
    internal static bool TryResponseTarget(SipVia via, SipTransportProtocol protocol, out IPEndPoint target)
    {
        target = new IPEndPoint(IPAddress.None, 0);
        var hostText = via.Received ?? via.Host;
        var bare = hostText.Length > 1 && hostText[0] == '[' ? hostText.AsSpan(1, hostText.Length - 2) : hostText.AsSpan();
        if (!IPAddress.TryParse(bare, out var address))
        {
            // A sent-by name with no received: we always add received for names on arrival, so this is not ours to resolve.
            return false;
        }

        var port = protocol == SipTransportProtocol.Udp && via.Rport is int rport ? rport : via.Port ?? protocol.DefaultPort();
        target = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>§18.2.1 and RFC 3581 §4: record where a request really came from in its top Via.</summary>
    internal static void StampReceived(SipRequest request, IPEndPoint source)
    {
        var via = request.TopVia;
        if (via is null)
        {
            return;
        }

        var sourceText = source.Address.ToString();
        var host = via.Host.Length > 1 && via.Host[0] == '[' ? via.Host[1..^1] : via.Host;
        var changed = false;

        // RFC 3581 §4: with rport, received is added even if it equals sent-by.
        if (via.HasRport || !(IPAddress.TryParse(host, out var sentBy) && sentBy.Equals(source.Address)))
        {
            via.Received = sourceText;
            changed = true;
        }

        if (via.HasRport)
        {
            via.SetRport(source.Port);
            changed = true;
        }

        if (changed)
        {
            request.SetTopVia(via);
        }
    }

    private void Receive(ReadOnlySpan<byte> data, SipFlow flow, bool refuse)
    {
        if (refuse)
        {
            Refuse(data, flow);
            return;
        }

        if (SipMessageParser.TryParse(data, out var message, out var error))
        {
            Counters.MessageReceived();
            _loop.Post(static s => ((Incoming)s!).Deliver(), new Incoming(this, message, null, flow));
            return;
        }

        if (error.CanRespond)
        {
            _loop.Post(static s => ((Incoming)s!).Deliver(), new Incoming(this, null, error, flow));
        }
        else
        {
            Counters.UnparseableDrop();
        }
    }

    private void OnDatagram(SipUdpChannel channel, ReadOnlyMemory<byte> datagram, IPEndPoint remote)
    {
        var span = datagram.Span;

        // RFC 5626 keepalives over UDP (CRLFs alone) are not messages.
        if (span.Trim("\r\n"u8).IsEmpty)
        {
            return;
        }

        SipRateLimitVerdict verdict;
        if (_limiter is { } limiter)
        {
            // A response to one of our own transactions (its branch is ours: unguessable) has budgets of its own, so a
            // flood forged in the PBX's name cannot crowd out the PBX's answers to our REGISTER, INVITE or OPTIONS.
            var kind = span.StartsWith("SIP/"u8) && _clientBranches.Matches(span) ? SipSourceKind.TransactionResponse : SipSourceKind.Datagram;
            verdict = limiter.Admit(remote.Address, kind);
        }
        else
        {
            verdict = SipRateLimitVerdict.Accept;
        }

        if (verdict == SipRateLimitVerdict.Drop)
        {
            // The cheapest refusal: not even parsed.
            return;
        }

        Receive(span, new SipFlow(SipTransportProtocol.Udp, channel.LocalEndPoint, remote, null, channel), verdict == SipRateLimitVerdict.Refuse);
    }

    /// <summary>
    /// A message over its source's budget: a request other than ACK is answered 503 with Retry-After (RFC 3261 §21.5.4)
    /// statelessly, without reaching the transaction layer; responses, ACKs and unparseable bytes are dropped.
    /// </summary>
    private void Refuse(ReadOnlySpan<byte> data, SipFlow flow)
    {
        if (data.StartsWith("SIP/"u8) || !SipMessageParser.TryParse(data, out var message, out _)
            || message is not SipRequest request || request.Method == SipMethods.Ack)
        {
            return;
        }

        _loop.Post(static s => ((Refusal)s!).Send(), new Refusal(this, request, flow));
    }

    private void SendRefusal(SipRequest request, SipFlow flow)
    {
        StampReceived(request, flow.RemoteEndPoint);
        var response = SipResponseFactory.Create(request, 503, toTag: "rate-limited");
        response.Headers.Set(SipHeaderNames.RetryAfter, (_limiter?.Options.RetryAfterSeconds ?? 5).ToString(System.Globalization.CultureInfo.InvariantCulture));
        SendResponse(response, flow, null);
    }

    private void OnAccepted(SipStreamListener listener, Socket socket)
    {
        if (socket.RemoteEndPoint is not IPEndPoint endPoint)
        {
            socket.Dispose();
            return;
        }

        var peer = SipStreamConnection.Normalize(endPoint);
        if (_limiter is { } limiter && limiter.IsBlocked(peer.Address))
        {
            Reset(socket);
            return;
        }

        if (!_quota.TryAcquire(peer.Address, out var perSourceCap))
        {
            // Refused before any TLS handshake or buffer: a reset costs the station nothing and leaves no TIME_WAIT.
            Counters.ConnectionRefused();
            Reset(socket);
            LogRefusal(listener.Protocol, peer, perSourceCap);
            return;
        }

        var connection = SipStreamConnection.Accept(this, _options, _loop.TimeProvider, listener.Protocol, socket, peer, holdsQuota: true);
        _loop.Post(static s =>
        {
            var (layer, c) = ((SipTransportLayer, SipStreamConnection))s!;
            if (!c.IsClosed && !layer._disposed)
            {
                // Keep inbound connections for requests back to the same peer (RFC 5923 spirit; a phone behind NAT).
                layer._connections[ConnectionKey(c.Protocol, c.RemoteEndPoint, null)] = c;
                layer.ArmIdleSweep();
            }
        }, (this, connection));
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }

        socket.Dispose();
    }

    /// <summary>
    /// Logs a refused connection: the first at once, then at most one line a minute saying how many more there were, so
    /// that a connection flood cannot flood the journal.
    /// </summary>
    private void LogRefusal(SipTransportProtocol protocol, IPEndPoint peer, bool perSourceCap)
    {
        var now = _loop.TimeProvider.GetTimestamp();
        int more;
        lock (_refusalLog)
        {
            if (_lastRefusalLog != long.MinValue && _loop.TimeProvider.GetElapsedTime(_lastRefusalLog, now) < TimeSpan.FromMinutes(1))
            {
                _refusalsNotLogged++;
                return;
            }

            _lastRefusalLog = now;
            more = _refusalsNotLogged;
            _refusalsNotLogged = 0;
        }

        if (perSourceCap)
        {
            LogPerSourceCap(_log, protocol, peer, _quota.PerSource, more);
        }
        else
        {
            LogTotalCap(_log, protocol, peer, _quota.Total, more);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Protocol} connection from {Peer} refused: that address already has {Cap} open (sip.rateLimit.maxConnectionsPerSource); {More} more refused since the last such line")]
    private static partial void LogPerSourceCap(ILogger logger, SipTransportProtocol protocol, IPEndPoint peer, int cap, int more);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Protocol} connection from {Peer} refused: {Cap} connections are open (sip.rateLimit.maxConnections); {More} more refused since the last such line")]
    private static partial void LogTotalCap(ILogger logger, SipTransportProtocol protocol, IPEndPoint peer, int cap, int more);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Protocol} connection with {Peer} closed: {Queued} bytes queued that the peer does not read")]
    private static partial void LogSendQueueFull(ILogger logger, SipTransportProtocol protocol, IPEndPoint peer, long queued);

    private void DeliverOnLoop(SipMessage? message, SipParseError? error, SipFlow flow)
    {
        if (message is SipRequest request)
        {
            StampReceived(request, flow.RemoteEndPoint);
            _user?.OnRequestReceived(request, flow);
        }
        else if (message is SipResponse response)
        {
            _user?.OnResponseReceived(response, flow);
        }
        else if (error is not null && SipResponseFactory.CreateForParseError(error) is { } badRequest)
        {
            // The sender's Via may be unusable, which may be why it failed: answer straight back on the flow.
            Counters.BadRequestAnswered();
            if (flow.Connection is { } connection)
            {
                SendOnConnection(badRequest, connection, null);
            }
            else if (flow.Channel is { } channel)
            {
                SendDatagram(badRequest, channel, flow.RemoteEndPoint, null);
            }
        }
    }

    private void Send(SipMessage message, SipDestination destination, ISipTransportErrorHandler? errors)
    {
        if (destination.Protocol == SipTransportProtocol.Udp)
        {
            var channel = FindChannel(destination.EndPoint);
            if (channel is null)
            {
                Report(errors, destination, SipTransportError.NoTransport);
                return;
            }

            SendDatagram(message, channel, destination.EndPoint, errors);
            return;
        }

        if (destination.Protocol.IsWebSocket())
        {
            // Only over the client's own open connection (RFC 7118 §5): a WebSocket is never opened from here.
            if (_connections.TryGetValue(ConnectionKey(destination.Protocol, destination.EndPoint, null), out var webSocket) && !webSocket.IsClosed)
            {
                SendOnConnection(message, webSocket, errors);
            }
            else
            {
                Report(errors, destination, SipTransportError.NoTransport);
            }

            return;
        }

        SendOnConnection(message, GetOrOpenConnection(destination), errors);
    }

    private void SendDatagram(SipMessage message, SipUdpChannel channel, IPEndPoint target, ISipTransportErrorHandler? errors)
    {
        _scratch.ResetWrittenCount();
        SipMessageWriter.Write(message, _scratch);
        if (_scratch.WrittenCount > 65_507)
        {
            Report(errors, new SipDestination(SipTransportProtocol.Udp, target), SipTransportError.MessageTooLarge);
            return;
        }

        var result = channel.Send(_scratch.WrittenSpan, target);
        if (result == SocketError.Success)
        {
            Counters.MessageSent();
        }
        else
        {
            Report(errors, new SipDestination(SipTransportProtocol.Udp, target), SipTransportError.SendFailed);
        }
    }

    private void SendOnConnection(SipMessage message, SipStreamConnection connection, ISipTransportErrorHandler? errors)
    {
        _scratch.ResetWrittenCount();
        var length = SipMessageWriter.Write(message, _scratch);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        _scratch.WrittenSpan.CopyTo(buffer);
        if (connection.Enqueue(new SipOutgoingSegment(buffer, length, Pooled: true, errors)))
        {
            Counters.MessageSent();
            connection.EnsureStarted();
            return;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        Report(errors, new SipDestination(connection.Protocol, connection.RemoteEndPoint, connection.ServerName), connection.CloseReason);
    }

    private SipStreamConnection GetOrOpenConnection(SipDestination destination)
    {
        var key = ConnectionKey(destination.Protocol, destination.EndPoint, destination.ServerName);
        if (_connections.TryGetValue(key, out var existing) && !existing.IsClosed)
        {
            return existing;
        }

        var connection = SipStreamConnection.Connect(this, _options, _loop.TimeProvider, destination);
        _connections[key] = connection;
        ArmIdleSweep();
        return connection;
    }

    private void ArmIdleSweep()
    {
        if (!_idleSweep.IsRunning && !_disposed)
        {
            _idleSweep.Start(SweepInterval());
        }
    }

    private TimeSpan SweepInterval()
    {
        var quarter = _options.ConnectionIdleTimeout / 4;
        return quarter < TimeSpan.FromSeconds(15) ? quarter : TimeSpan.FromSeconds(15);
    }

    private void SweepIdleConnections()
    {
        var time = _loop.TimeProvider;
        List<SipStreamConnection>? idle = null;
        foreach (var connection in _connections.Values)
        {
            if (time.GetElapsedTime(connection.LastActivity) >= _options.ConnectionIdleTimeout)
            {
                (idle ??= []).Add(connection);
            }
        }

        if (idle is not null)
        {
            foreach (var connection in idle)
            {
                Counters.IdleConnectionClosed();
                connection.Close();
            }
        }

        if (_connections.Count > (idle?.Count ?? 0))
        {
            _idleSweep.Start(SweepInterval());
        }
    }

    private void Report(ISipTransportErrorHandler? handler, SipDestination destination, SipTransportError error)
    {
        Counters.SendFailure();
        if (handler is null)
        {
            return;
        }

        // Always asynchronously, so a transaction never sees its own send fail inside the call that sent it.
        _loop.Post(static s =>
        {
            var (h, d, e) = ((ISipTransportErrorHandler, SipDestination, SipTransportError))s!;
            h.OnTransportError(d, e);
        }, (handler, destination, error));
    }

    private SipUdpChannel? FindChannel(IPEndPoint remote)
    {
        foreach (var channel in _udp)
        {
            if (channel.CanReach(remote))
            {
                return channel;
            }
        }

        return null;
    }

    private SipListener? FindListener(SipTransportProtocol protocol, AddressFamily family)
    {
        SipListener? fallback = null;
        foreach (var listener in _listeners)
        {
            if (listener.Protocol != protocol)
            {
                continue;
            }

            if (listener.LocalEndPoint.AddressFamily == family)
            {
                return listener;
            }

            fallback ??= listener.LocalEndPoint.Address.Equals(IPAddress.IPv6Any) ? listener : null;
        }

        return fallback;
    }

    private static (SipTransportProtocol, IPEndPoint, string?) ConnectionKey(SipTransportProtocol protocol, IPEndPoint remote, string? serverName) =>
        (protocol, remote, protocol == SipTransportProtocol.Tls ? serverName?.ToUpperInvariant() : null);

    private static bool IsAny(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    /// <summary>The local address the OS would use to reach <paramref name="remote"/>: a connected UDP socket sends nothing.</summary>
    private IPAddress LocalAddressFor(IPAddress remote)
    {
        if (_localAddressFor.TryGetValue(remote, out var known))
        {
            return known;
        }

        IPAddress local;
        try
        {
            using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(remote, 9));
            local = ((IPEndPoint)probe.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            local = remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        }

        _localAddressFor[remote] = local;
        return local;
    }

    private sealed class Refusal(SipTransportLayer layer, SipRequest request, SipFlow flow)
    {
        public void Send() => layer.SendRefusal(request, flow);
    }

    private sealed class Incoming(SipTransportLayer layer, SipMessage? message, SipParseError? error, SipFlow flow)
    {
        public void Deliver() => layer.DeliverOnLoop(message, error, flow);
    }
}

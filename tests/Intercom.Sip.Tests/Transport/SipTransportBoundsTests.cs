using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Tests.Core;
using Intercom.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Intercom.Sip.Tests.Transport;

/// <summary>
/// Issue #15, point 5: what one TCP peer can make the transport layer hold is bounded — one pending pong per
/// connection, a send queue of a fixed number of bytes, connections per source and in all, and a receive buffer that
/// grows only for a message that needs it. Real loopback sockets; peers that never read.
/// </summary>
public sealed class SipTransportBoundsTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    private static void WaitFor(Func<bool> condition, string what, TimeSpan? within = null, Func<string>? state = null) =>
        Eventually.Until(condition, what, within ?? TransportPeer.Wait, state);

    private static Socket Connect(IPEndPoint station, IPAddress? from = null, int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer is int size)
        {
            socket.ReceiveBufferSize = size;
        }

        socket.Bind(new IPEndPoint(from ?? IPAddress.Loopback, 0));
        socket.Connect(station);
        return socket;
    }

    /// <summary>True when the other end closes or resets <paramref name="socket"/> within the wait.</summary>
    private static bool ClosedByPeer(Socket socket)
    {
        socket.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;
        var buffer = new byte[65536];
        try
        {
            while (socket.Receive(buffer) > 0)
            {
            }

            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return false;
        }
    }

    private static int? OptionsStatus(Socket socket, string branch)
    {
        socket.Send(SipMessageWriter.ToBytes(TransportPeer.Options(branch, "TCP")));
        socket.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;
        var buffer = new byte[65536];
        try
        {
            var n = socket.Receive(buffer);
            var text = Encoding.ASCII.GetString(buffer, 0, n);
            return n > 12 && text.StartsWith("SIP/2.0 ", StringComparison.Ordinal) ? int.Parse(text.AsSpan(8, 3), System.Globalization.CultureInfo.InvariantCulture) : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    [Fact]
    public void A_peer_that_pings_and_never_reads_has_at_most_one_pong_pending()
    {
        // No rate limit: the bound must hold by itself.
        using var server = new TransportPeer();
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));
        using var client = Connect(listener.LocalEndPoint, receiveBuffer: 4096);

        // 4 MiB of CRLFCRLF: a million pings, sent as fast as TCP takes them, nothing read.
        const int Pings = 1 << 20;
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("\r\n\r\n", 16 * 1024)));
        for (var sent = 0; sent < Pings; sent += chunk.Length / 4)
        {
            client.Send(chunk);
        }

        WaitFor(() => server.Layer.Counters.KeepAlivePingsAnswered == Pings, "every ping read", TimeSpan.FromSeconds(20), () => $"DEBUG answered {server.Layer.Counters.KeepAlivePingsAnswered} malformed {server.Layer.Counters.MalformedStreamsClosed} closed {server.ClosedConnections.Count} avail-client {client.Available}");
        WaitFor(() => server.OnLoop(() => server.Layer.Connections.Count()) == 1, "the connection in the layer's table");
        var (queued, coalesced, pending) = server.OnLoop(() =>
        {
            var connection = Assert.Single(server.Layer.Connections);
            return (connection.QueuedBytes, connection.PongsCoalesced, connection.PongPending);
        });

        // The socket buffers took what they could; everything after that was answered by the one pong still pending.
        Assert.InRange(queued, 0, 2);
        Assert.True(coalesced > Pings / 2, $"only {coalesced} of {Pings} pings coalesced");
        Assert.True(!pending || queued == 2, "a pong pending is a pong queued");

        // Once the peer reads, every pong that was queued arrives: one per ping that was not coalesced, and no more.
        var expected = 2L * (Pings - coalesced);
        long received = 0;
        var buffer = new byte[65536];
        client.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;
        while (received < expected)
        {
            received += client.Receive(buffer, 0, (int)Math.Min(buffer.Length, expected - received), SocketFlags.None);
        }

        // Nothing more was queued: within a bounded look, no further byte arrives.
        Assert.Equal(expected, received);
        Assert.False(client.Poll(200_000, SelectMode.SelectRead), "more pongs arrived than were queued");
    }

    [Fact]
    public void A_full_send_queue_closes_the_connection_reports_the_sends_and_logs_once()
    {
        var log = new ListLogger();
        using var loop = new SipLoop(TimeProvider.System);
        var layer = new SipTransportLayer(loop, new SipTransportOptions { MaxSendQueueBytes = 64 * 1024 }, log);
        var errors = new BlockingCollection<SipTransportError>();
        var handler = new ErrorHandler(errors);
        try
        {
            var listener = loop.Invoke(() => layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));
            using var client = Connect(listener.LocalEndPoint, receiveBuffer: 4096);
            WaitFor(() => loop.Invoke(() => layer.ConnectionCount) == 1, "the connection accepted");
            var destination = new SipDestination(SipTransportProtocol.Tcp, (IPEndPoint)client.LocalEndPoint!);

            // Requests of 16 KiB to a peer that reads nothing: the socket buffers fill, then the queue, then it closes.
            var connection = loop.Invoke(() => Assert.Single(layer.Connections));
            var body = Encoding.ASCII.GetBytes(new string('x', 16 * 1024));
            var sent = 0;
            while (sent < 4096 && !connection.IsClosed)
            {
                loop.Invoke(() =>
                {
                    var request = TransportPeer.Options("z9hG4bKq" + sent++, "TCP");
                    request.Body = body;
                    layer.SendRequest(request, destination, handler);
                    Assert.InRange(connection.QueuedBytes, 0, 64 * 1024);
                });
            }

            Assert.True(sent < 4096, "64 MiB went out to a peer that reads nothing");
            Assert.True(ClosedByPeer(client), "the connection was not closed");
            Assert.Equal(1, layer.Counters.SendQueueOverflows);
            Assert.Contains(SipTransportError.SendQueueFull, Drain(errors));
            Assert.Single(log.Entries, e => e.Contains("bytes queued that the peer does not read", StringComparison.Ordinal));
        }
        finally
        {
            loop.Invoke(layer.Dispose);
        }
    }

    [Fact]
    public void Connections_beyond_the_per_source_and_total_caps_are_refused_and_their_slots_come_back()
    {
        var log = new ListLogger();
        using var loop = new SipLoop(TimeProvider.System);
        var layer = new SipTransportLayer(loop, new SipTransportOptions
        {
            RateLimit = new SipRateLimitOptions { Enabled = false, MaxConnectionsPerSource = 2, MaxConnections = 3 },
        }, log);
        var user = new Answering(layer);
        layer.SetUser(user);
        var held = new List<Socket>();
        try
        {
            var station = loop.Invoke(() => layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback)).LocalEndPoint;
            held.Add(Connect(station));
            held.Add(Connect(station));
            Assert.All(held, s => Assert.Equal(200, OptionsStatus(s, "z9hG4bKcap" + s.GetHashCode())));

            // A third from 127.0.0.1: over its cap of two.
            using (var third = Connect(station))
            {
                Assert.True(ClosedByPeer(third), "a third connection from one address was kept");
            }

            // Another address may connect — until the total of three is reached.
            held.Add(Connect(station, IPAddress.Parse("127.0.0.2")));
            Assert.Equal(200, OptionsStatus(held[^1], "z9hG4bKcap2"));
            using (var fourth = Connect(station, IPAddress.Parse("127.0.0.3")))
            {
                Assert.True(ClosedByPeer(fourth), "a fourth connection was kept");
            }

            Assert.Equal(2, layer.Counters.ConnectionsRefused);
            Assert.Equal(3, layer.InboundConnectionCount);

            // Those kept still work; one closed gives its slot back at once.
            Assert.Equal(200, OptionsStatus(held[0], "z9hG4bKstill"));
            held[2].Dispose();
            held.RemoveAt(2);
            WaitFor(() => layer.InboundConnectionCount == 2, "the slot given back");
            held.Add(Connect(station, IPAddress.Parse("127.0.0.3")));
            Assert.Equal(200, OptionsStatus(held[^1], "z9hG4bKagain"));

            // The first refusal is logged; the second, within a minute of it, is counted into the next line instead.
            Assert.Single(log.Entries, e => e.Contains("refused", StringComparison.Ordinal));
            Assert.Contains(log.Entries, e => e.Contains("already has 2 open", StringComparison.Ordinal));
        }
        finally
        {
            held.ForEach(s => s.Dispose());
            loop.Invoke(layer.Dispose);
        }
    }

    [Fact]
    public void Connections_the_station_opens_itself_are_not_capped()
    {
        using var remote = new TransportPeer();
        var target = remote.OnLoop(() => remote.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback)).LocalEndPoint;
        using var station = new TransportPeer(new SipTransportOptions { RateLimit = new SipRateLimitOptions { MaxConnectionsPerSource = 1, MaxConnections = 1 } });
        station.OnLoop(() => station.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));

        // Three outbound connections to three endpoints of 127.0.0.1 (one listener, and two more): none refused.
        using var second = new TransportPeer();
        using var third = new TransportPeer();
        var targets = new[]
        {
            target,
            second.OnLoop(() => second.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback)).LocalEndPoint,
            third.OnLoop(() => third.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback)).LocalEndPoint,
        };
        foreach (var endPoint in targets)
        {
            station.OnLoop(() => station.Layer.SendRequest(TransportPeer.Options("z9hG4bKout" + endPoint.Port, "TCP"), new SipDestination(SipTransportProtocol.Tcp, endPoint), station));
        }

        TransportPeer.Take(remote.Requests, "request 1");
        TransportPeer.Take(second.Requests, "request 2");
        TransportPeer.Take(third.Requests, "request 3");
        Assert.Equal(0, station.Layer.Counters.ConnectionsRefused);
        Assert.Equal(0, station.Layer.InboundConnectionCount);
        Assert.Empty(station.Errors);
    }

    [Fact]
    public void A_connection_holds_a_small_receive_buffer_that_grows_for_a_large_message_and_shrinks_after()
    {
        using var server = new TransportPeer { AutoAnswer = 200 };
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));
        using var client = Connect(listener.LocalEndPoint);
        Assert.Equal(200, OptionsStatus(client, "z9hG4bKsmall"));
        TransportPeer.Take(server.Requests, "the small request");
        Assert.Equal(SipStreamFramer.InitialBufferBytes, server.OnLoop(() => Assert.Single(server.Layer.Connections).ReceiveBufferBytes));

        // A 40 KiB body: the buffer grows to hold it, and goes back to its small size once the message is framed.
        var large = TransportPeer.Options("z9hG4bKlarge", "TCP");
        large.Body = new byte[40 * 1024];
        client.Send(SipMessageWriter.ToBytes(large));
        var (request, _) = TransportPeer.Take(server.Requests, "the large request");
        Assert.Equal(40 * 1024, request.Body.Length);
        Assert.Equal(200, OptionsStatus(client, "z9hG4bKafter"));
        Assert.Equal(SipStreamFramer.InitialBufferBytes, server.OnLoop(() => Assert.Single(server.Layer.Connections).ReceiveBufferBytes));
    }

    private static List<T> Drain<T>(BlockingCollection<T> collection)
    {
        var items = new List<T>();
        while (collection.TryTake(out var item, TimeSpan.FromMilliseconds(500)))
        {
            items.Add(item);
        }

        return items;
    }

    private sealed class ErrorHandler(BlockingCollection<SipTransportError> errors) : ISipTransportErrorHandler
    {
        public void OnTransportError(SipDestination destination, SipTransportError error) => errors.Add(error);
    }

    private sealed class Answering(SipTransportLayer layer) : ISipTransportUser
    {
        public void OnRequestReceived(SipRequest request, SipFlow flow) =>
            layer.SendResponse(SipResponseFactory.Create(request, 200, toTag: "srv"), flow, null);

        public void OnResponseReceived(SipResponse response, SipFlow flow)
        {
        }
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue(formatter(state, exception));
    }
}

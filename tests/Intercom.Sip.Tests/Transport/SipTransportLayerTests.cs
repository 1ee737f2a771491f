using System.Net;
using System.Net.Sockets;
using System.Text;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Sip.Tests.Transport;

public class SipTransportLayerTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    private static string ReadText(Socket socket, int minimum = 1)
    {
        var buffer = new byte[65536];
        var total = 0;
        socket.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;
        while (total < minimum)
        {
            var n = socket.Receive(buffer, total, buffer.Length - total, SocketFlags.None);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return Encoding.ASCII.GetString(buffer, 0, total);
    }

    private static Socket ConnectTcp(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(endPoint);
        return socket;
    }

    private static string OptionsText(string branch, string transport = "TCP") =>
        Encoding.UTF8.GetString(SipMessageWriter.ToBytes(TransportPeer.Options(branch, transport)));

    [Fact]
    public void UDP_request_gets_received_and_rport_and_the_response_goes_back_to_the_source_port()
    {
        using var server = new TransportPeer { AutoAnswer = 200 };
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Udp, AnyLoopback));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(AnyLoopback);
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;

        // sent-by claims 192.0.2.99:5070 (a NATed phone); the truth is 127.0.0.1:clientPort.
        client.SendTo(SipMessageWriter.ToBytes(TransportPeer.Options("z9hG4bKudp1")), listener.LocalEndPoint);

        var (request, flow) = TransportPeer.Take(server.Requests, "request");
        Assert.Equal("127.0.0.1", request.TopVia!.Received);
        Assert.Equal(clientPort, request.TopVia.Rport);
        Assert.Equal(SipTransportProtocol.Udp, flow.Protocol);
        Assert.Equal(clientPort, flow.RemoteEndPoint.Port);

        var reply = ReadText(client);
        Assert.StartsWith("SIP/2.0 200", reply, StringComparison.Ordinal);
        Assert.Contains("received=127.0.0.1", reply, StringComparison.Ordinal);
        Assert.Contains("rport=" + clientPort, reply, StringComparison.Ordinal);
    }

    [Fact]
    public void Response_without_rport_goes_to_received_and_the_Via_port()
    {
        var via = new SipVia("UDP", "192.0.2.99", 5070, "z9hG4bKx") { Received = "198.51.100.1" };
        Assert.True(SipTransportLayer.TryResponseTarget(via, SipTransportProtocol.Udp, out var target));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 5070), target);

        via.Parameters.Set("rport", "40000");
        Assert.True(SipTransportLayer.TryResponseTarget(via, SipTransportProtocol.Udp, out target));
        Assert.Equal(40000, target.Port);

        var tls = new SipVia("TLS", "[2001:db8::5]", null, "z9hG4bKy");
        Assert.True(SipTransportLayer.TryResponseTarget(tls, SipTransportProtocol.Tls, out target));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::5"), 5061), target);
    }

    [Fact]
    public void Received_is_not_added_when_sent_by_is_the_source_address_and_there_is_no_rport()
    {
        var request = TransportPeer.Parse(OptionsText("z9hG4bKsame").Replace("192.0.2.99:5070;branch=z9hG4bKsame;rport", "127.0.0.1:5070;branch=z9hG4bKsame", StringComparison.Ordinal));
        SipTransportLayer.StampReceived(request, new IPEndPoint(IPAddress.Loopback, 5070));
        Assert.Null(request.TopVia!.Received);
        SipTransportLayer.StampReceived(request, new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5070));
        Assert.Equal("127.0.0.2", request.TopVia!.Received);
    }

    [Fact]
    public void TCP_split_reads_and_two_messages_in_one_segment_are_framed_and_answered_on_the_same_connection()
    {
        using var server = new TransportPeer { AutoAnswer = 200 };
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));
        using var client = ConnectTcp(listener.LocalEndPoint);
        client.NoDelay = true;

        var first = Encoding.ASCII.GetBytes(OptionsText("z9hG4bKtcp1"));
        client.Send(first.AsSpan(0, 20));
        client.Send(first.AsSpan(20));
        Assert.Equal("z9hG4bKtcp1", TransportPeer.Take(server.Requests, "split request").Request.TopVia!.Branch);

        var two = Encoding.ASCII.GetBytes(OptionsText("z9hG4bKtcp2") + OptionsText("z9hG4bKtcp3"));
        client.Send(two);
        Assert.Equal("z9hG4bKtcp2", TransportPeer.Take(server.Requests, "first of two").Request.TopVia!.Branch);
        var (third, flow) = TransportPeer.Take(server.Requests, "second of two");
        Assert.Equal("z9hG4bKtcp3", third.TopVia!.Branch);
        Assert.Equal(SipTransportProtocol.Tcp, flow.Protocol);

        // Three 200s come back over this connection (not to sent-by 192.0.2.99:5070).
        var replies = string.Empty;
        while (CountOf(replies, "SIP/2.0 200") < 3)
        {
            replies += ReadText(client);
        }

        Assert.Contains("z9hG4bKtcp3", replies, StringComparison.Ordinal);
        Assert.Equal(1, server.Layer.Counters.ConnectionsAccepted);
    }

    [Fact]
    public void TCP_CRLFCRLF_keepalive_is_answered_with_CRLF()
    {
        using var server = new TransportPeer();
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));
        using var client = ConnectTcp(listener.LocalEndPoint);
        client.Send("\r\n\r\n"u8);
        Assert.Equal("\r\n", ReadText(client, 2));
        Assert.Equal(1, server.Layer.Counters.KeepAlivePingsAnswered);
    }

    [Fact]
    public void Oversized_headers_close_the_TCP_connection()
    {
        using var server = new TransportPeer(new SipTransportOptions { MaxHeaderBytes = 1024, MaxBodyBytes = 0 });
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));
        using var client = ConnectTcp(listener.LocalEndPoint);
        client.Send(Encoding.ASCII.GetBytes("OPTIONS sip:a@b SIP/2.0\r\nX-Long: " + new string('a', 2000)));
        Assert.Equal(string.Empty, ReadText(client)); // Orderly close: Receive returns 0.
        TransportPeer.Take(server.ClosedConnections, "connection closed");
        Assert.Equal(1, server.Layer.Counters.MalformedStreamsClosed);
        Assert.Equal(0, server.OnLoop(() => server.Layer.ConnectionCount));
    }

    [Fact]
    public void Unparseable_request_is_answered_400_when_possible_and_dropped_otherwise()
    {
        using var server = new TransportPeer();
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Udp, AnyLoopback));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(AnyLoopback);

        // Everything a 400 needs is there, but CSeq is broken.
        var bad = OptionsText("z9hG4bKbad", "UDP").Replace("CSeq: 1 OPTIONS", "CSeq: one OPTIONS", StringComparison.Ordinal);
        client.SendTo(Encoding.ASCII.GetBytes(bad), listener.LocalEndPoint);
        var reply = ReadText(client);
        Assert.StartsWith("SIP/2.0 400", reply, StringComparison.Ordinal);
        Assert.Contains("z9hG4bKbad", reply, StringComparison.Ordinal);

        client.SendTo("\u0001\u0002 not SIP at all\r\n\r\n"u8.ToArray(), listener.LocalEndPoint);
        client.SendTo(SipMessageWriter.ToBytes(TransportPeer.Options("z9hG4bKafter")), listener.LocalEndPoint);
        Assert.Equal("z9hG4bKafter", TransportPeer.Take(server.Requests, "request after garbage").Request.TopVia!.Branch);
        Assert.Equal(1, server.Layer.Counters.BadRequestsAnswered);
        Assert.Equal(1, server.Layer.Counters.UnparseableDropped);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData(SipTransportProtocol.Udp, "127.0.0.1")]
    [InlineData(SipTransportProtocol.Tcp, "127.0.0.1")]
    [InlineData(SipTransportProtocol.Udp, "::1")]
    [InlineData(SipTransportProtocol.Tcp, "::1")]
    public void Layer_to_layer_request_and_response(SipTransportProtocol protocol, string address)
    {
        using var server = new TransportPeer { AutoAnswer = 200 };
        using var client = new TransportPeer();
        var ip = IPAddress.Parse(address);
        var listener = server.OnLoop(() => server.Layer.AddListener(protocol, new IPEndPoint(ip, 0)));
        client.OnLoop(() => client.Layer.AddListener(protocol, new IPEndPoint(ip, 0)));
        var destination = new SipDestination(protocol, listener.LocalEndPoint);

        client.OnLoop(() =>
        {
            var request = TransportPeer.Options("ignored");
            request.SetTopVia(client.Layer.CreateVia(destination, "z9hG4bKl2l"));
            client.Layer.SendRequest(request, destination, client);
        });

        var (received, _) = TransportPeer.Take(server.Requests, "request");
        var via = received.TopVia!;
        Assert.Equal(protocol.ToViaToken(), via.Transport);
        Assert.Equal(ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[::1]" : "127.0.0.1", via.Host);
        var (response, _) = TransportPeer.Take(client.Responses, "response");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("z9hG4bKl2l", response.TopVia!.Branch);
        Assert.Empty(client.Errors);
    }

    [Fact]
    public void TCP_connections_are_reused_per_remote_endpoint()
    {
        using var server = new TransportPeer { AutoAnswer = 200 };
        using var client = new TransportPeer();
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));
        var destination = new SipDestination(SipTransportProtocol.Tcp, listener.LocalEndPoint);
        for (var i = 0; i < 3; i++)
        {
            var branch = "z9hG4bKreuse" + i;
            client.OnLoop(() => client.Layer.SendRequest(TransportPeer.Options(branch, "TCP"), destination, client));
            TransportPeer.Take(client.Responses, "response " + i);
        }

        Assert.Equal(1, client.Layer.Counters.ConnectionsOpened);
        Assert.Equal(1, server.Layer.Counters.ConnectionsAccepted);
        Assert.Equal(1, client.OnLoop(() => client.Layer.ConnectionCount));
    }

    [Fact]
    public void Connection_refused_is_reported_to_the_sender()
    {
        using var client = new TransportPeer();
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(AnyLoopback);
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port; // Bound but not listening: connect is refused.
        var destination = new SipDestination(SipTransportProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, port));
        client.OnLoop(() => client.Layer.SendRequest(TransportPeer.Options("z9hG4bKrefused", "TCP"), destination, client));
        var (where, error) = TransportPeer.Take(client.Errors, "transport error");
        Assert.Equal(SipTransportError.ConnectFailed, error);
        Assert.Equal(destination.EndPoint, where.EndPoint);
    }

    [Fact]
    public void UDP_send_without_a_listener_of_that_family_is_an_error()
    {
        using var client = new TransportPeer();
        client.OnLoop(() => client.Layer.AddListener(SipTransportProtocol.Udp, AnyLoopback));
        var destination = new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.IPv6Loopback, 5060));
        client.OnLoop(() => client.Layer.SendRequest(TransportPeer.Options("z9hG4bKnov6"), destination, client));
        Assert.Equal(SipTransportError.NoTransport, TransportPeer.Take(client.Errors, "error").Error);
    }

    [Fact]
    public void Idle_connections_are_closed_by_the_loop_clock()
    {
        var time = new FakeTimeProvider();
        var options = new SipTransportOptions { ConnectionIdleTimeout = TimeSpan.FromSeconds(60) };
        using var server = new TransportPeer { AutoAnswer = 200 };
        using var client = new TransportPeer(options, time);
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));
        var destination = new SipDestination(SipTransportProtocol.Tcp, listener.LocalEndPoint);
        client.OnLoop(() => client.Layer.SendRequest(TransportPeer.Options("z9hG4bKidle", "TCP"), destination, client));
        TransportPeer.Take(client.Responses, "response");

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, client.OnLoop(() => client.Layer.ConnectionCount));
        for (var i = 0; i < 8; i++)
        {
            time.Advance(TimeSpan.FromSeconds(15));
        }

        Assert.Equal(destination.EndPoint, TransportPeer.Take(client.ClosedConnections, "idle close").EndPoint);
        Assert.Equal(1, client.Layer.Counters.IdleConnectionsClosed);
        Assert.Equal(0, client.OnLoop(() => client.Layer.ConnectionCount));
    }

    [Fact]
    public void Keepalive_sender_sends_CRLFCRLF_and_the_pong_is_reported()
    {
        var time = new FakeTimeProvider();
        using var server = new TransportPeer();
        using var client = new TransportPeer(null, time);
        var pongs = new System.Collections.Concurrent.BlockingCollection<SipDestination>();
        client.Layer.KeepAlivePongReceived = d => pongs.Add(d);
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, AnyLoopback));
        var destination = new SipDestination(SipTransportProtocol.Tcp, listener.LocalEndPoint);

        using var keepAlive = client.OnLoop(() => client.Layer.StartKeepAlive(destination, TimeSpan.FromSeconds(30)));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(destination.EndPoint, TransportPeer.Take(pongs, "pong").EndPoint);
        Assert.Equal(1, server.Layer.Counters.KeepAlivePingsAnswered);
        client.OnLoop(keepAlive.Dispose);
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

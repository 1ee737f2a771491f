using System.Net;
using System.Net.Sockets;
using System.Text;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Sip.Tests.Transport;

/// <summary>The limiter inside the transport layer, on real loopback sockets with a frozen clock.</summary>
public sealed class SipRateLimitTransportTests
{
    private static readonly SipRateLimitOptions Limits = new() { MessagesPerSecond = 1, Burst = 3, RefusalBurst = 2, RetryAfterSeconds = 7 };

    private static SipTransportOptions Options() => new() { RateLimit = Limits };

    private static void WaitFor(Func<bool> condition, string what) => Eventually.Until(condition, what, TransportPeer.Wait);

    [Fact]
    public void A_UDP_flood_gets_its_burst_answered_then_503_with_Retry_After_then_silence_but_no_block()
    {
        using var server = new TransportPeer(Options(), new FakeTimeProvider()) { AutoAnswer = 200 };
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0)));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;

        for (var i = 0; i < 10; i++)
        {
            client.SendTo(SipMessageWriter.ToBytes(TransportPeer.Options("z9hG4bKflood" + i)), listener.LocalEndPoint);
        }

        var limiter = server.Layer.RateLimiter!;
        WaitFor(() => limiter.Accepted + limiter.Refused + limiter.Dropped == 10, "all 10 datagrams judged");
        server.OnLoop(() => 0);

        var replies = new List<string>();
        var buffer = new byte[65536];
        for (var i = 0; i < 5; i++)
        {
            replies.Add(Encoding.ASCII.GetString(buffer, 0, client.Receive(buffer)));
        }

        Assert.Equal(3, replies.Count(r => r.StartsWith("SIP/2.0 200", StringComparison.Ordinal)));
        var refusals = replies.Where(r => r.StartsWith("SIP/2.0 503", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, r => Assert.Contains("Retry-After: 7", r, StringComparison.Ordinal));
        Assert.All(refusals, r => Assert.Contains("rport=", r, StringComparison.Ordinal));
        Assert.Equal(0, client.Available);
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(5, limiter.Dropped);

        // A UDP source address proves nothing, so it is held to its rate but never blocked.
        Assert.Equal(0, limiter.Blocks);
        Assert.False(limiter.IsBlocked(IPAddress.Loopback));
    }

    [Fact]
    public void A_blocked_source_loses_its_TCP_connection_and_cannot_open_another()
    {
        using var server = new TransportPeer(Options(), new FakeTimeProvider()) { AutoAnswer = 200 };
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, 0)));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint);
        for (var i = 0; i < 6; i++)
        {
            client.Send(SipMessageWriter.ToBytes(TransportPeer.Options("z9hG4bKtcp" + i, "TCP")));
        }

        // Read until the server closes the connection (Receive returns 0); answers still queued are dropped with it.
        client.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;
        var text = new StringBuilder();
        var buffer = new byte[65536];
        int n;
        while ((n = client.Receive(buffer)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        var all = text.ToString();
        Assert.InRange(CountOf(all, "SIP/2.0 200"), 0, 3);
        Assert.InRange(CountOf(all, "SIP/2.0 503"), 0, 2);
        var limiter = server.Layer.RateLimiter!;
        Assert.Equal(3, limiter.Accepted);
        Assert.Equal(2, limiter.Refused);
        Assert.True(limiter.IsBlocked(IPAddress.Loopback));

        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.Connect(listener.LocalEndPoint);
        again.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;

        // Reset at once (SO_LINGER 0: no TIME_WAIT left on the station for a flooder's connections).
        var reset = Assert.Throws<SocketException>(() => again.Receive(buffer));
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
    }

    [Fact]
    public void A_UDP_flood_forged_in_the_registrars_name_neither_drops_its_answers_nor_blocks_it()
    {
        // The "registrar" and the "attacker" share one source address: a different port of 127.0.0.5 is, to the
        // limiter, exactly what a forged datagram is (it keys by address; UDP source addresses cannot be checked).
        var registrarAddress = IPAddress.Parse("127.0.0.5");
        var time = new FakeTimeProvider();
        using var station = new TransportPeer(Options(), time) { AutoAnswer = 200 };
        var udp = station.OnLoop(() => station.Layer.AddListener(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0)));
        var tcp = station.OnLoop(() => station.Layer.AddListener(SipTransportProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, 0)));
        using var registrar = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        registrar.Bind(new IPEndPoint(registrarAddress, 0));
        registrar.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(registrarAddress, 0));

        // The station sends a REGISTER (a client transaction of its own) to the registrar.
        var register = TransportPeer.Parse(
            "REGISTER sip:127.0.0.5 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK5e1f0a8c3d2b4e6f;rport\r\nMax-Forwards: 70\r\n" +
            "From: <sip:door@127.0.0.5>;tag=d1\r\nTo: <sip:door@127.0.0.5>\r\nCall-ID: reg1@door\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n");
        station.OnLoop(() => station.Layer.SendRequest(register, new SipDestination(SipTransportProtocol.Udp, (IPEndPoint)registrar.LocalEndPoint!), station));
        var buffer = new byte[65536];
        var received = Encoding.ASCII.GetString(buffer, 0, registrar.Receive(buffer));
        Assert.StartsWith("REGISTER ", received, StringComparison.Ordinal);

        // The attacker floods in the registrar's name: far more than its burst, its refusals and a block's worth.
        for (var i = 0; i < 100; i++)
        {
            attacker.SendTo(SipMessageWriter.ToBytes(TransportPeer.Options("z9hG4bKforged" + i)), udp.LocalEndPoint);
        }

        var limiter = station.Layer.RateLimiter!;
        WaitFor(() => limiter.Accepted + limiter.Refused + limiter.Dropped >= 100, "the forged flood judged");

        // The registrar's 200 to our REGISTER, sent during the flood, still reaches the transaction layer.
        var ok = received.Replace("REGISTER sip:127.0.0.5 SIP/2.0", "SIP/2.0 200 OK", StringComparison.Ordinal);
        registrar.SendTo(Encoding.ASCII.GetBytes(ok), udp.LocalEndPoint);
        var (response, _) = TransportPeer.Take(station.Responses, "the registrar's answer to our REGISTER");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("z9hG4bK5e1f0a8c3d2b4e6f", response.TopVia!.Branch);

        // A forged "answer" with a branch that is not ours gets no such pass.
        var forgedAnswer = ok.Replace("z9hG4bK5e1f0a8c3d2b4e6f", "z9hG4bK0000000000000000", StringComparison.Ordinal);
        var droppedBefore = limiter.Dropped;
        attacker.SendTo(Encoding.ASCII.GetBytes(forgedAnswer), udp.LocalEndPoint);
        WaitFor(() => limiter.Dropped > droppedBefore, "the forged answer dropped");

        // Nobody is blocked: the flood over, the registrar's own requests are answered again over UDP, and its TCP
        // connections are accepted (the forgery never touched the stream budget).
        Assert.Equal(0, limiter.Blocks);
        time.Advance(TimeSpan.FromSeconds(1));
        registrar.SendTo(SipMessageWriter.ToBytes(TransportPeer.Options("z9hG4bKrealpbx")), udp.LocalEndPoint);
        Assert.StartsWith("SIP/2.0 200", Encoding.ASCII.GetString(buffer, 0, registrar.Receive(buffer)), StringComparison.Ordinal);

        using var stream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stream.Bind(new IPEndPoint(registrarAddress, 0));
        stream.Connect(tcp.LocalEndPoint);
        stream.Send(SipMessageWriter.ToBytes(TransportPeer.Options("z9hG4bKrealpbxtcp", "TCP")));
        stream.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;
        Assert.StartsWith("SIP/2.0 200", Encoding.ASCII.GetString(buffer, 0, stream.Receive(buffer)), StringComparison.Ordinal);
    }

    [Fact]
    public void Keepalive_pings_spend_the_sources_budget_and_a_ping_flood_loses_its_connection()
    {
        using var server = new TransportPeer(Options(), new FakeTimeProvider());
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tcp, new IPEndPoint(IPAddress.Loopback, 0)));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint);

        // Burst 3, refusals 2: three pings answered, two ignored, the sixth blocks the source and closes the connection.
        client.Send(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("\r\n\r\n", 50))));
        client.ReceiveTimeout = (int)TransportPeer.Wait.TotalMilliseconds;
        var pongs = 0;
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = client.Receive(buffer)) > 0)
            {
                pongs += n / 2;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with unread pings in its buffer: the kernel resets rather than ends the stream.
        }

        var limiter = server.Layer.RateLimiter!;
        Assert.Equal(3, server.Layer.Counters.KeepAlivePingsAnswered);
        Assert.Equal(3, server.Layer.Counters.KeepAlivePingsRefused);
        Assert.InRange(pongs, 0, 3);
        Assert.Equal(3, limiter.Accepted);
        Assert.Equal(1, limiter.Blocks);
        Assert.True(limiter.IsBlocked(IPAddress.Loopback));
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

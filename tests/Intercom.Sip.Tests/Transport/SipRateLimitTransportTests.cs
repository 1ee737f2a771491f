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

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TransportPeer.Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what + " did not happen in time");
            Thread.Yield();
        }
    }

    [Fact]
    public void A_UDP_flood_gets_its_burst_answered_then_503_with_Retry_After_then_silence()
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
        Assert.Equal(1, limiter.Blocks);
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
        Assert.Equal(0, again.Receive(buffer));
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

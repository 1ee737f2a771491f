using System.Net.WebSockets;
using System.Text;
using Intercom.Sip.Transport;
using Intercom.TestSupport;

namespace Intercom.Web.Tests;

/// <summary>
/// GET /sip, SIP over WebSocket (RFC 7118) on the page's own port, end to end through Kestrel into the SIP stack: the
/// handshake is refused unless it asks for the "sip" subprotocol from the station's own origin and the feature is on,
/// and what comes over an accepted one is SIP, authenticated as over UDP (a WebSocket is never a trusted source).
/// </summary>
public sealed class SipWebSocketTests
{
    private static Task<StationWeb> StartAsync(bool enabled = true) => StationWeb.StartAsync(c =>
    {
        c.Web.SipWebSocket = enabled;
        // These tests run over plain HTTP (StationWeb's default): ws, explicitly allowed.
        c.Web.SipWebSocketPlain = true;
        // Loopback is a trusted network: a UDP INVITE from it rings; one over a WebSocket from it must not.
        c.Station.Incoming.Sources = ["127.0.0.0/8"];
    });

    private static Uri SipUri(StationWeb web) => new($"ws://{web.Address.Authority}/sip");

    private static async Task<ClientWebSocket> ConnectAsync(StationWeb web, string? origin, bool sip = true)
    {
        var socket = new ClientWebSocket();
        if (sip)
        {
            socket.Options.AddSubProtocol("sip");
        }

        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(SipUri(web), timeout.Token);
        return socket;
    }

    private static Task<string> ExchangeAsync(WebSocket socket, string message)
        => SipOverWebSocket.FinalResponseAsync(socket, message, TimeSpan.FromSeconds(20));

    private static string Invite(int n)
    {
        // As JsSIP writes it: a made-up .invalid host in Via and Contact (RFC 7118 §5).
        const string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=sendrecv\r\n";
        return $"INVITE sip:door@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS h7kq2x.invalid;branch=z9hG4bKws{n}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:resident@127.0.0.1>;tag=ws{n}\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: ws-{n}@h7kq2x.invalid\r\nCSeq: 1 INVITE\r\n" +
            $"Contact: <sip:r8d@h7kq2x.invalid;transport=ws>\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
    }

    private static string Options(int n) =>
        $"OPTIONS sip:door@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS h7kq2x.invalid;branch=z9hG4bKop{n}\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:resident@127.0.0.1>;tag=op{n}\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: op-{n}@h7kq2x.invalid\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    [Fact]
    public async Task From_the_stations_own_origin_the_sip_subprotocol_carries_SIP_and_a_WebSocket_INVITE_is_not_trusted_by_its_address()
    {
        await using var web = await StartAsync();
        using var socket = await ConnectAsync(web, origin: $"http://{web.Address.Authority}");
        Assert.Equal("sip", socket.SubProtocol);

        var options = await ExchangeAsync(socket, Options(1));
        Assert.StartsWith("SIP/2.0 200", options, StringComparison.Ordinal);
        Assert.Contains("Via: SIP/2.0/WS h7kq2x.invalid;branch=z9hG4bKop1;received=127.0.0.1", options, StringComparison.Ordinal);

        // Same source address as a trusted UDP phone, same INVITE: over the WebSocket it is a stranger's (403, no call).
        var invite = await ExchangeAsync(socket, Invite(2));
        Assert.StartsWith("SIP/2.0 403", invite, StringComparison.Ordinal);
        Assert.Equal(Intercom.Station.StationCallState.Idle, web.App.Station.CallState);
        Assert.Contains(web.Logs.Lines, l => l.Contains("over WS is not a trusted source", StringComparison.Ordinal));
        Assert.Equal(1, web.App.Sip.Transport.Counters.ConnectionsAccepted);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("null")]
    [InlineData("http://127.0.0.1")]
    public async Task A_handshake_from_another_origin_is_refused_before_any_SIP(string origin)
    {
        await using var web = await StartAsync();

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(web, origin));

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, web.App.Sip.Transport.Counters.ConnectionsAccepted);
        Assert.Contains(web.Logs.Lines, l => l.Contains("SIP WebSocket from 127.0.0.1 refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_handshake_without_the_sip_subprotocol_is_refused()
    {
        await using var web = await StartAsync();

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(web, $"http://{web.Address.Authority}", sip: false));

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, web.App.Sip.Transport.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task Off_by_default_nothing_is_upgraded()
    {
        await using var web = await StartAsync(enabled: false);

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(web, origin: null));

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(web.App.Sip.Transport.Listeners, l => l.Protocol.IsWebSocket());
    }
}

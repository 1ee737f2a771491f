using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Intercom.Configuration;
using Intercom.Sip.Transport;
using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Intercom.TestSupport;

namespace Intercom.Web.Tests;

/// <summary>
/// Browser phones register with the station over its SIP WebSocket (RFC 7118 §5, RFC 3261 §10.3), through Kestrel into
/// the SIP stack: who may (the station's own logged-in page, or the incoming digest), what the binding is bound to (the
/// connection, never the Contact's host), and the ring-group target "web" ringing each binding over its WebSocket with a
/// WebRTC offer. The REGISTER is written as SIP.js writes it.
/// </summary>
public sealed class BrowserPhoneRegistrationTests
{
    private static Task<StationWeb> StartAsync(bool incomingAuth = false, params string[] targets) => StationWeb.StartAsync(c =>
    {
        c.Web.SipWebSocket = true;
        c.Web.SipWebSocketPlain = true;
        if (incomingAuth)
        {
            c.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Realm = "door", Username = "resident", Password = "Browser-Digest-42x" };
        }

        if (targets.Length > 0)
        {
            c.Station.RingGroups[0] = new RingGroupConfig { Id = "residents", Targets = [.. targets], RingTimeoutSeconds = 20 };
        }
    });

    private static async Task<ClientWebSocket> ConnectAsync(StationWeb web, string? origin, string? sessionCookie = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("sip");
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        if (sessionCookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", $"intercom_session={sessionCookie}");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(new Uri($"ws://{web.Address.Authority}/sip"), timeout.Token);
        return socket;
    }

    private static async Task<string> SessionCookieAsync(StationWeb web)
    {
        using var client = web.NewClient();
        await StationWeb.SetupAsync(client);
        return web.SessionCookieOf(client)!;
    }

    /// <param name="n">The request's number: its branch and tag, and its Call-ID and CSeq unless given.</param>
    private static string Register(int n, int expires = 600, string contactUser = "k3v9p2", string? callId = null, int? cseq = null) =>
        $"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS q7d2lm.invalid;branch=z9hG4bKreg{n}\r\nMax-Forwards: 70\r\n" +
        $"To: <sip:admin@127.0.0.1>\r\nFrom: <sip:admin@127.0.0.1>;tag=reg{n}\r\nCall-ID: {callId ?? $"reg-{n}"}@q7d2lm.invalid\r\nCSeq: {cseq ?? n} REGISTER\r\n" +
        $"Contact: <sip:{contactUser}@q7d2lm.invalid;transport=ws>;+sip.instance=\"<urn:uuid:5b1e0c1e-8d7a-4a57-9a36-0d1c0f1a2b3c>\";expires={expires}\r\n" +
        "Expires: 600\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\nContent-Length: 0\r\n\r\n";

    private static async Task SendAsync(WebSocket socket, string message)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next SIP message on the socket other than a 1xx.</summary>
    private static Task<string> ReceiveAsync(WebSocket socket, bool skipProvisional = true)
        => SipOverWebSocket.ReceiveAsync(socket, TimeSpan.FromSeconds(20), skipProvisional);

    private static async Task<string> ExchangeAsync(WebSocket socket, string message)
    {
        await SendAsync(socket, message);
        return await ReceiveAsync(socket);
    }

    [Fact]
    public async Task The_stations_own_logged_in_page_registers_without_a_digest_and_the_binding_dies_with_its_connection()
    {
        await using var web = await StartAsync();
        var cookie = await SessionCookieAsync(web);
        var socket = await ConnectAsync(web, $"http://{web.Address.Authority}", cookie);

        var ok = await ExchangeAsync(socket, Register(1));

        Assert.StartsWith("SIP/2.0 200", ok, StringComparison.Ordinal);
        Assert.Contains("Contact: <sip:k3v9p2@q7d2lm.invalid;transport=ws>;+sip.instance=\"<urn:uuid:5b1e0c1e-8d7a-4a57-9a36-0d1c0f1a2b3c>\";expires=600", ok, StringComparison.Ordinal);
        var phones = web.App.Sip.Agent.BrowserPhones!;
        var binding = Assert.Single(phones.Find(null));
        Assert.Equal("admin", binding.Name);
        Assert.Equal(SipTransportProtocol.Ws, binding.Flow.Protocol);
        Assert.Single(phones.Find("admin"));
        Assert.Empty(phones.Find("resident"));

        // The connection closes: its binding is gone with it.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }

        socket.Dispose();
        await Eventually.UntilAsync(() => phones.Count == 0, "the binding to die with its connection", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_logout_ends_the_pages_WebSocket_and_its_binding_and_the_button_then_rings_nobody()
    {
        await using var web = await StartAsync(targets: "web:admin");
        using var client = web.NewClient();
        var csrf = await StationWeb.SetupAsync(client);
        using var socket = await ConnectAsync(web, $"http://{web.Address.Authority}", web.SessionCookieOf(client));
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register(1)), StringComparison.Ordinal);
        var phones = web.App.Sip.Agent.BrowserPhones!;
        Assert.Equal(1, phones.Count);

        using (var logout = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/logout", csrf)))
        {
            Assert.True(logout.IsSuccessStatusCode, $"logout: {(int)logout.StatusCode}");
        }

        // The session is over, so is its door phone: the station aborts the connection, and the binding dies with it.
        await Eventually.UntilAsync(() => phones.Count == 0, "the binding to end with the session", TimeSpan.FromSeconds(20));
        // The page's next read finds the connection gone (the station sends nothing else on it).
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            var ended = await Record.ExceptionAsync(async () =>
            {
                var result = await socket.ReceiveAsync(new byte[1024], timeout.Token);
                Assert.Equal(WebSocketMessageType.Close, result.MessageType);
            });
            Assert.True(ended is null or WebSocketException, $"the page's WebSocket was not ended by the station: {ended}");
        }

        web.App.SimulatedBoard!.PressButton("button1");
        await Eventually.UntilAsync(() => web.App.Station.Events.Snapshot().Any(e => e.Detail is RingGroupUnanswered { Outcome: Intercom.Station.Routing.CallOutcome.Failed }),
            "the ring group to end with nobody rung", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Expires_zero_unregisters_and_a_refresh_keeps_one_binding()
    {
        await using var web = await StartAsync();
        using var socket = await ConnectAsync(web, $"http://{web.Address.Authority}", await SessionCookieAsync(web));
        var phones = web.App.Sip.Agent.BrowserPhones!;

        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register(1)), StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register(2, expires: 300)), StringComparison.Ordinal);
        Assert.Single(phones.Find(null));

        // A third Contact on one connection is past its share (two): 503, nothing bound.
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register(3, contactUser: "second")), StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 503", await ExchangeAsync(socket, Register(4, contactUser: "third")), StringComparison.Ordinal);
        Assert.Equal(2, phones.Count);

        var removed = await ExchangeAsync(socket, Register(5, expires: 0));
        Assert.StartsWith("SIP/2.0 200", removed, StringComparison.Ordinal);
        Assert.DoesNotContain("k3v9p2", removed, StringComparison.Ordinal);
        Assert.Equal(1, phones.Count);
    }

    [Fact]
    public async Task A_REGISTER_of_the_same_call_id_whose_cseq_is_not_higher_changes_nothing_and_fails()
    {
        await using var web = await StartAsync();
        using var socket = await ConnectAsync(web, $"http://{web.Address.Authority}", await SessionCookieAsync(web));
        var phones = web.App.Sip.Agent.BrowserPhones!;

        // SIP.js keeps one Call-ID and counts CSeq up; the binding remembers the CSeq that wrote it (RFC 3261 §10.3 step 7).
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register(1, expires: 600, callId: "sipjs", cseq: 5)), StringComparison.Ordinal);
        var written = Assert.Single(phones.Find(null));

        // Lower and equal CSeq: a refresh and an unregistration out of order, and "Contact: *" (step 6), each fail (500) and
        // leave the binding as it was.
        string[] outOfOrder =
        [
            Register(2, expires: 60, callId: "sipjs", cseq: 4),
            Register(3, expires: 60, callId: "sipjs", cseq: 5),
            Register(4, expires: 0, callId: "sipjs", cseq: 3),
            Regex.Replace(Register(5, callId: "sipjs", cseq: 5), "Contact: [^\r]*", "Contact: *").Replace("Expires: 600", "Expires: 0", StringComparison.Ordinal),
        ];
        foreach (string request in outOfOrder)
        {
            Assert.StartsWith("SIP/2.0 500", await ExchangeAsync(socket, request), StringComparison.Ordinal);
            Assert.Same(written, Assert.Single(phones.Find(null)));
        }

        // Higher: applied. Another Call-ID (a client that restarted) is not ordered against the old one.
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register(6, expires: 300, callId: "sipjs", cseq: 6)), StringComparison.Ordinal);
        Assert.Equal(6u, Assert.Single(phones.Find(null)).CSeq);
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register(7, expires: 0, callId: "restarted", cseq: 1)), StringComparison.Ordinal);
        Assert.Equal(0, phones.Count);
    }

    [Fact]
    public async Task Without_a_session_or_a_digest_a_REGISTER_is_refused_and_a_cookie_without_an_Origin_proves_nothing()
    {
        await using var web = await StartAsync();
        var cookie = await SessionCookieAsync(web);

        // No session at all, incoming authentication off: nothing can prove who registers.
        using var anonymous = await ConnectAsync(web, $"http://{web.Address.Authority}");
        Assert.StartsWith("SIP/2.0 403", await ExchangeAsync(anonymous, Register(1)), StringComparison.Ordinal);

        // A valid cookie on a handshake without Origin: no browser page sent it, so it is no page's session.
        using var noOrigin = await ConnectAsync(web, origin: null, cookie);
        Assert.StartsWith("SIP/2.0 403", await ExchangeAsync(noOrigin, Register(2)), StringComparison.Ordinal);

        // A forged cookie from the station's own origin.
        using var forged = await ConnectAsync(web, $"http://{web.Address.Authority}", "forged-session-id");
        Assert.StartsWith("SIP/2.0 403", await ExchangeAsync(forged, Register(3)), StringComparison.Ordinal);

        Assert.Equal(0, web.App.Sip.Agent.BrowserPhones!.Count);
        Assert.Contains(web.Logs.Lines, l => l.Contains("REGISTER over the WebSocket from 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_incoming_authentication_a_client_without_a_session_is_challenged()
    {
        await using var web = await StartAsync(incomingAuth: true);
        using var socket = await ConnectAsync(web, origin: null);

        var challenge = await ExchangeAsync(socket, Register(1));

        Assert.StartsWith("SIP/2.0 401", challenge, StringComparison.Ordinal);
        Assert.Contains("WWW-Authenticate: Digest realm=\"door\"", challenge, StringComparison.Ordinal);
        var forged = Register(2).Replace("Content-Length: 0", "Authorization: Digest username=\"resident\", realm=\"door\", nonce=\"x\", uri=\"sip:127.0.0.1\", response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=00000001, cnonce=\"c\"\r\nContent-Length: 0", StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 401", await ExchangeAsync(socket, forged), StringComparison.Ordinal);
        Assert.Equal(0, web.App.Sip.Agent.BrowserPhones!.Count);
    }

    [Fact]
    public async Task A_REGISTER_over_UDP_is_still_405()
    {
        await using var web = await StartAsync();
        var udp = web.App.Sip.Transport.Listeners.First(l => l.Protocol == SipTransportProtocol.Udp).LocalEndPoint;
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)client.Client.LocalEndPoint!;
        var register = Register(1).Replace("SIP/2.0/WS q7d2lm.invalid", $"SIP/2.0/UDP 127.0.0.1:{local.Port}", StringComparison.Ordinal);

        await client.SendAsync(Encoding.UTF8.GetBytes(register), udp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var answer = Encoding.UTF8.GetString((await client.ReceiveAsync(timeout.Token)).Buffer);

        Assert.StartsWith("SIP/2.0 405", answer, StringComparison.Ordinal);
        Assert.Equal(0, web.App.Sip.Agent.BrowserPhones!.Count);
    }

    [Fact]
    public async Task The_ring_group_target_web_rings_each_binding_over_its_WebSocket_with_a_WebRTC_offer()
    {
        await using var web = await StartAsync(incomingAuth: false, "web");
        var cookie = await SessionCookieAsync(web);
        using var first = await ConnectAsync(web, $"http://{web.Address.Authority}", cookie);
        using var second = await ConnectAsync(web, $"http://{web.Address.Authority}", cookie);
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(first, Register(1)), StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(second, Register(2, contactUser: "m2x8")), StringComparison.Ordinal);

        web.App.SimulatedBoard!.PressButton("button1");
        var toFirst = await ReceiveAsync(first, skipProvisional: false);
        var toSecond = await ReceiveAsync(second, skipProvisional: false);

        // Each phone gets its own INVITE, to the Contact it registered, over its own connection.
        Assert.StartsWith("INVITE sip:k3v9p2@q7d2lm.invalid;transport=ws SIP/2.0", toFirst, StringComparison.Ordinal);
        Assert.StartsWith("INVITE sip:m2x8@q7d2lm.invalid;transport=ws SIP/2.0", toSecond, StringComparison.Ordinal);
        foreach (var invite in new[] { toFirst, toSecond })
        {
            Assert.Contains("Via: SIP/2.0/WS ", invite, StringComparison.Ordinal);
            Assert.Matches(@"m=audio \d+ UDP/TLS/RTP/SAVPF 111 ", invite);
            Assert.Contains("a=rtpmap:111 opus/48000/2", invite, StringComparison.Ordinal);
            Assert.Contains("a=setup:actpass", invite, StringComparison.Ordinal);
            Assert.Contains("a=fingerprint:sha-256 ", invite, StringComparison.Ordinal);
            Assert.Contains("a=rtcp-mux", invite, StringComparison.Ordinal);
            Assert.Contains("a=ice-ufrag:", invite, StringComparison.Ordinal);
            Assert.Matches(@"a=candidate:\S+ 1 (?i:udp) \d+ 127\.0\.0\.1 \d+ typ host", invite);
            Assert.DoesNotContain("a=crypto", invite, StringComparison.Ordinal);
        }

        // The first phone declines; the second is still rung (the group goes on), and the station hangs it up itself.
        await SendAsync(first, Response(toFirst, 486, "Busy Here"));
        Assert.StartsWith("ACK ", await ReceiveAsync(first, skipProvisional: false), StringComparison.Ordinal);
        await Eventually.UntilAsync(() => web.App.Calls.ActiveLegs == 1, "the declined leg to end", TimeSpan.FromSeconds(20));
        Assert.Equal(Intercom.Station.StationCallState.Calling, web.App.Station.CallState);
    }

    [Fact]
    public async Task With_no_binding_the_web_leg_fails_at_once_and_the_group_goes_on()
    {
        await using var web = await StartAsync(incomingAuth: false, "web:admin");
        var unanswered = new TaskCompletionSource<RingGroupUnanswered>(TaskCreationOptions.RunContinuationsAsynchronously);
        web.App.Station.EventBus.Raised += (_, e) =>
        {
            if (e is RingGroupUnanswered u)
            {
                unanswered.TrySetResult(u);
            }
        };

        // A page registered, then left: its binding must not be rung.
        var socket = await ConnectAsync(web, $"http://{web.Address.Authority}", await SessionCookieAsync(web));
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register(1)), StringComparison.Ordinal);
        socket.Abort();
        socket.Dispose();
        await Eventually.UntilAsync(() => web.App.Sip.Agent.BrowserPhones!.Count == 0, "the binding to die with its connection", TimeSpan.FromSeconds(20));

        web.App.SimulatedBoard!.PressButton("button1");

        // Failed at once: long before the group's 20 s ring timeout.
        var outcome = await unanswered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Intercom.Station.Routing.CallOutcome.Failed, outcome.Outcome);
        Assert.Equal(0, web.App.Calls.ActiveLegs);
    }

    private static string Response(string request, int status, string reason)
    {
        var lines = request.Split("\r\n");
        var headers = new StringBuilder();
        foreach (var line in lines)
        {
            if (line.StartsWith("Via:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("From:", StringComparison.OrdinalIgnoreCase)
                || line.StartsWith("Call-ID:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase))
            {
                headers.Append(line).Append("\r\n");
            }
            else if (line.StartsWith("To:", StringComparison.OrdinalIgnoreCase))
            {
                headers.Append(line).Append(";tag=phone1\r\n");
            }
        }

        return $"SIP/2.0 {status} {reason}\r\n{headers}Content-Length: 0\r\n\r\n";
    }
}

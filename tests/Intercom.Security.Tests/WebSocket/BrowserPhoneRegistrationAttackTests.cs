using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;
using Intercom.Security.Tests.Web;

namespace Intercom.Security.Tests.WebSocket;

/// <summary>
/// Browser phones register over the station's SIP WebSocket (RFC 7118 §5) and the ring-group target "web" rings them:
/// against the published binary, as someone on the home network would try to get the door's calls. Incoming digest
/// authentication is on; the station's page has an admin password. Whoever registers without proving who they are — no
/// session and no or a forged digest, a valid session cookie sent from another site's page, a cookie on a handshake
/// without Origin — is refused, and the button press that follows rings nobody (the "web" leg fails at once instead of
/// ringing). A binding whose connection closed is not rung either, and an INVITE over any connection but the page's own
/// still has to authenticate.
/// </summary>
public sealed class BrowserPhoneRegistrationAttackTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static string Config(int port) => $$"""
        {
          "name": "Browser phone attack door",
          "sip": {
            "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 0 } ],
            "incomingAuth": { "enabled": true, "realm": "door", "username": "resident", "password": "Digest-Secret-93kq" }
          },
          "media": { "codecs": [ "pcmu" ] },
          "audio": { "driver": "null" },
          "station": {
            "ringGroups": [ { "id": "residents", "targets": [ "web" ], "ringTimeoutSeconds": 60 } ],
            "codes": [ { "id": "resident", "code": "4711", "relay": "door" } ],
            "incoming": { "allowlist": [ "sip:resident@127.0.0.1" ], "autoAnswer": true },
            "eventLog": { "persistPath": null }
          },
          "web": { "enabled": true, "address": "127.0.0.1", "port": {{port}}, "https": true, "sipWebSocket": true }
        }
        """;

    /// <param name="n">The request's branch and tag, and its Call-ID and CSeq unless <paramref name="callId"/> and <paramref name="cseq"/> say.</param>
    private static string Register(int n, string? authorization = null, string? callId = null, int? cseq = null, int expires = 600) =>
        $"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WSS q7d2lm.invalid;branch=z9hG4bKreg{n}\r\nMax-Forwards: 70\r\n" +
        $"To: <sip:resident@127.0.0.1>\r\nFrom: <sip:resident@127.0.0.1>;tag=reg{n}\r\nCall-ID: {callId ?? $"reg-{n}"}@q7d2lm.invalid\r\nCSeq: {cseq ?? n} REGISTER\r\n" +
        $"Contact: <sip:k3v9p2@q7d2lm.invalid;transport=ws>;expires={expires}\r\n" +
        (authorization is null ? "" : $"Authorization: {authorization}\r\n") + "Content-Length: 0\r\n\r\n";

    private static string Invite(int n)
    {
        const string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=sendrecv\r\n";
        return $"INVITE sip:door@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WSS q7d2lm.invalid;branch=z9hG4bKinv{n}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:resident@127.0.0.1>;tag=inv{n}\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: inv-{n}@q7d2lm.invalid\r\nCSeq: 1 INVITE\r\n" +
            $"Contact: <sip:k3v9p2@q7d2lm.invalid;transport=ws>\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
    }

    private static async Task<ClientWebSocket> ConnectAsync(int port, string? origin, string? cookie = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("sip");
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        if (cookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }

        using var timeout = new CancellationTokenSource(Wait);
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{port}/sip"), timeout.Token);
        return socket;
    }

    /// <summary>
    /// A WebSocket to the station from a chosen local port, the handshake written by hand (ClientWebSocket cannot bind
    /// one): the attacker comes back on the address and port a registered page used.
    /// </summary>
    private static async Task<(TcpClient Tcp, System.Net.WebSockets.WebSocket Socket)> ConnectFromAsync(int port, int localPort, string? origin, string? cookie)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        tcp.Client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        tcp.Client.Bind(new IPEndPoint(IPAddress.Loopback, localPort));
        await tcp.ConnectAsync(IPAddress.Loopback, port).WaitAsync(Wait);
        var tls = new SslStream(tcp.GetStream(), false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }).WaitAsync(Wait);
        var handshake = $"GET /sip HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n"
            + (origin is null ? "" : $"Origin: {origin}\r\n") + (cookie is null ? "" : $"Cookie: {cookie}\r\n") + "\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(handshake)).AsTask().WaitAsync(Wait);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 4096)
        {
            Assert.Equal(1, await tls.ReadAsync(one).AsTask().WaitAsync(Wait));
            head.Append((char)one[0]);
        }

        Assert.StartsWith("HTTP/1.1 101", head.ToString(), StringComparison.Ordinal);
        return (tcp, System.Net.WebSockets.WebSocket.CreateFromStream(tls, new WebSocketCreationOptions { IsServer = false, SubProtocol = "sip" }));
    }

    private static Task<string> FinalAsync(System.Net.WebSockets.WebSocket socket, string request)
        => SipOverWebSocket.FinalResponseAsync(socket, request, Wait);

    private static async Task PressAsync(int port, string session)
    {
        var response = await RawHttp.SendAsync(port, "POST", "/api/sim/buttons/button1/press", "{}", WebStation.PageHeaders(session), tls: true);
        Assert.True(response.Status is >= 200 and < 300, $"press: {response.Status} {response.Body}");
    }

    [Fact]
    public async Task Registrations_that_prove_nobody_are_refused_and_the_button_rings_no_one()
    {
        var port = FreePort.Next();
        await using var station = await AotStation.StartAsync(Config(port));
        await station.WaitForLineAsync(@"SIP listening on udp 127\.0\.0\.1:\d+", Wait);
        var session = await WebStation.SetupAsync(station, port, tls: true);
        var cookie = session.Split('|')[0];
        var own = $"https://127.0.0.1:{port}";

        // No session, no digest: challenged. A forged digest answer: challenged again, not bound.
        using (var anonymous = await ConnectAsync(port, origin: null))
        {
            Assert.StartsWith("SIP/2.0 401", await FinalAsync(anonymous, Register(1)), StringComparison.Ordinal);
            var forged = "Digest username=\"resident\", realm=\"door\", nonce=\"AAAA\", uri=\"sip:127.0.0.1\", response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=00000001, cnonce=\"c0ffee\"";
            Assert.StartsWith("SIP/2.0 401", await FinalAsync(anonymous, Register(2, forged)), StringComparison.Ordinal);

            // The admin's real session cookie, but on a handshake without Origin (no page sent it): still only a digest would do.
            using var cookieOnly = await ConnectAsync(port, origin: null, cookie);
            Assert.StartsWith("SIP/2.0 401", await FinalAsync(cookieOnly, Register(3)), StringComparison.Ordinal);

            // Another site's page in the admin's browser sends the cookie with its own Origin: not even upgraded.
            var crossSite = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(port, "https://evil.example", cookie));
            Assert.Contains("403", crossSite.Message, StringComparison.Ordinal);

            // The visitor presses the button: "web" has no binding, so its leg fails at once; nothing rings the attacker.
            await PressAsync(port, session);
            await station.WaitForLineAsync(@"ring group residents: nobody answered \(Failed\)", Wait);
        }

        Assert.Equal(0, station.Count(@"browser phone of .* registered"));
        Assert.Equal(0, station.DoorOpenings());
    }

    [Fact]
    public async Task A_stranger_reconnecting_from_a_gone_pages_address_and_port_is_not_rung_in_its_place()
    {
        var port = FreePort.Next();
        await using var station = await AotStation.StartAsync(Config(port));
        await station.WaitForLineAsync(@"SIP listening on udp 127\.0\.0\.1:\d+", Wait);
        var session = await WebStation.SetupAsync(station, port, tls: true);
        var localPort = FreePort.Next();

        // The admin's page registers from 127.0.0.1:localPort, then its connection is reset (no TIME_WAIT is left).
        var (pageTcp, page) = await ConnectFromAsync(port, localPort, $"https://127.0.0.1:{port}", session.Split('|')[0]);
        Assert.StartsWith("SIP/2.0 200", await FinalAsync(page, Register(1)), StringComparison.Ordinal);
        await station.WaitForLineAsync(@"browser phone of 'admin' registered", Wait);
        pageTcp.Client.LingerState = new LingerOption(true, 0);
        pageTcp.Close();

        // A stranger (no session, no digest, never registers) connects from the very same address and port.
        var (strangerTcp, stranger) = await ConnectFromAsync(port, localPort, origin: null, cookie: null);
        using (strangerTcp)
        {
            // The button: the page's binding died with its connection, so nobody is rung; were it still taken, its INVITE
            // would go to whatever connection now holds that address and port, the stranger's, and ring there for 60 s.
            await PressAsync(port, session);
            await station.WaitForLineAsync(@"ring group residents: nobody answered \(Failed\)", Wait);
            Assert.Equal(System.Net.WebSockets.WebSocketState.Open, stranger.State);
        }

        Assert.Equal(0, station.DoorOpenings());
    }

    [Fact]
    public async Task A_closed_pages_binding_is_not_rung_and_an_INVITE_without_the_pages_own_connection_still_authenticates()
    {
        var port = FreePort.Next();
        await using var station = await AotStation.StartAsync(Config(port));
        await station.WaitForLineAsync(@"SIP listening on udp 127\.0\.0\.1:\d+", Wait);
        var session = await WebStation.SetupAsync(station, port, tls: true);
        var cookie = session.Split('|')[0];
        var own = $"https://127.0.0.1:{port}";

        // The station's own page registers with its session (no digest needed: the control).
        using (var page = await ConnectAsync(port, own, cookie))
        {
            Assert.StartsWith("SIP/2.0 200", await FinalAsync(page, Register(1)), StringComparison.Ordinal);
            await station.WaitForLineAsync(@"browser phone of 'admin' registered", Wait);

            // The page is registered, but a call over any other connection is a stranger's until it authenticates: the
            // admin's cookie on a handshake without Origin (no page of the station sent it), the station's Origin without
            // a session (any page can claim it, a browser does not let it lie), and no Origin at all.
            using (var cookieOnly = await ConnectAsync(port, origin: null, cookie))
            using (var originOnly = await ConnectAsync(port, own))
            using (var anonymous = await ConnectAsync(port, origin: null))
            {
                Assert.StartsWith("SIP/2.0 401", await FinalAsync(cookieOnly, Invite(2)), StringComparison.Ordinal);
                Assert.StartsWith("SIP/2.0 401", await FinalAsync(originOnly, Invite(3)), StringComparison.Ordinal);
                Assert.StartsWith("SIP/2.0 401", await FinalAsync(anonymous, Invite(4)), StringComparison.Ordinal);
            }

            Assert.Equal(0, station.Count(@"call from .* auto-answered"));

            // The page's own connection calls the door as its web user, whom the session proved (look in and talk): let
            // in without a challenge and named web:admin, whatever its From says. Its plain-RTP offer is no browser's,
            // so the media may be refused; the door is not the caller's to open either way.
            var call = await FinalAsync(page, Invite(5));
            Assert.False(call.StartsWith("SIP/2.0 401", StringComparison.Ordinal) || call.StartsWith("SIP/2.0 403", StringComparison.Ordinal), call);
            await station.WaitForLineAsync(@"call from web:admin \(from the web page\) auto-answered", Wait);
            using var timeout = new CancellationTokenSource(Wait);
            await page.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }

        // The page is gone: its binding is not rung, the "web" leg fails at once.
        await PressAsync(port, session);
        await station.WaitForLineAsync(@"ring group residents: nobody answered \(Failed\)", Wait);
        Assert.Equal(1, station.Count(@"auto-answered"));
        Assert.Equal(0, station.DoorOpenings());
    }

    [Fact]
    public async Task A_replayed_older_REGISTER_on_the_pages_connection_neither_unregisters_nor_shortens_it_and_the_page_still_rings()
    {
        var port = FreePort.Next();
        await using var station = await AotStation.StartAsync(Config(port));
        await station.WaitForLineAsync(@"SIP listening on udp 127\.0\.0\.1:\d+", Wait);
        var session = await WebStation.SetupAsync(station, port, tls: true);
        using var page = await ConnectAsync(port, $"https://127.0.0.1:{port}", session.Split('|')[0]);

        // The page registers (Call-ID "page", CSeq 5). Then older requests of the same Call-ID come over its connection, as
        // a replay or a client out of order would send them: an unregistration (CSeq 4, Expires 0), the same CSeq again
        // with a 1 s expiry, "Contact: *". Each fails (RFC 3261 §10.3 steps 6-7) and changes nothing.
        Assert.StartsWith("SIP/2.0 200", await FinalAsync(page, Register(1, callId: "page", cseq: 5)), StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 500", await FinalAsync(page, Register(2, callId: "page", cseq: 4, expires: 0)), StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 500", await FinalAsync(page, Register(3, callId: "page", cseq: 5, expires: 1)), StringComparison.Ordinal);
        var wildcard = System.Text.RegularExpressions.Regex.Replace(Register(4, callId: "page", cseq: 3), "Contact: [^\r]*", "Contact: *")
            .Replace("Content-Length", "Expires: 0\r\nContent-Length", StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 500", await FinalAsync(page, wildcard), StringComparison.Ordinal);
        Assert.Equal(0, station.Count(@"browser phone of .* unregistered"));

        // The visitor presses the button more than a second later: the page is still rung, over its own connection.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await PressAsync(port, session);
        var invite = await SipOverWebSocket.ReceiveAsync(page, Wait, skipProvisional: true);
        Assert.StartsWith("INVITE ", invite, StringComparison.Ordinal);
        Assert.Equal(0, station.DoorOpenings());
    }
}

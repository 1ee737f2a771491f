using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;

namespace Intercom.Security.Tests.WebSocket;

/// <summary>
/// SIP over WebSocket (RFC 7118, GET /sip on the HTTPS port) against the published binary, as someone on the home network
/// would try it. The station trusts its loopback "LAN" (station.incoming.sources) and allowlists the resident, so a UDP
/// INVITE from there claiming to be the resident is auto-answered — the control that proves the setup would let a call
/// in. The same INVITE over a WebSocket from the same address (a desktop client: no Origin) must get 403 and no call,
/// because a browser on that network opens WebSockets for any page it shows; a handshake from a foreign page's Origin must
/// not even be upgraded. No relay may be energised.
/// </summary>
public sealed class SipWebSocketAttackTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static string Config(int port) => $$"""
        {
          "name": "WebSocket attack door",
          "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 0 } ] },
          "media": { "codecs": [ "pcmu" ] },
          "audio": { "driver": "null" },
          "station": {
            "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1:9" ] } ],
            "codes": [ { "id": "resident", "code": "4711", "relay": "door" } ],
            "incoming": { "allowlist": [ "sip:resident@127.0.0.1" ], "sources": [ "127.0.0.0/8" ], "autoAnswer": true },
            "eventLog": { "persistPath": null }
          },
          "web": { "enabled": true, "address": "127.0.0.1", "port": {{port}}, "https": true, "sipWebSocket": true }
        }
        """;

    private static string Invite(string transport, string sentBy, string contact, int n)
    {
        const string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=sendrecv\r\n";
        return $"INVITE sip:door@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/{transport} {sentBy};branch=z9hG4bKatk{n};rport\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:resident@127.0.0.1>;tag=atk{n}\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: attack-{n}@{sentBy}\r\nCSeq: 1 INVITE\r\n" +
            $"Contact: <{contact}>\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
    }

    private static async Task<ClientWebSocket> ConnectAsync(int port, string? origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("sip");
        // The station's self-signed certificate: the attacker does not care who it is.
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        using var timeout = new CancellationTokenSource(Wait);
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{port}/sip"), timeout.Token);
        return socket;
    }

    private static Task<string> FinalOverWebSocketAsync(ClientWebSocket socket, string request)
        => SipOverWebSocket.FinalResponseAsync(socket, request, Wait);

    private static async Task<string> FinalOverUdpAsync(int sipPort, int n)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)socket.LocalEndPoint!;
        await socket.SendToAsync(Encoding.ASCII.GetBytes(Invite("UDP", local.ToString(), $"sip:resident@{local}", n)), new IPEndPoint(IPAddress.Loopback, sipPort));
        var buffer = new byte[8192];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer).WaitAsync(Wait);
            var text = Encoding.UTF8.GetString(buffer, 0, received);
            if (!text.StartsWith("SIP/2.0 1", StringComparison.Ordinal))
            {
                return text;
            }
        }
    }

    [Fact]
    public async Task A_WebSocket_INVITE_from_a_trusted_address_with_a_forged_From_and_a_foreign_Origin_handshake_get_no_call_and_no_door()
    {
        var port = FreePort.Next();
        await using var station = await AotStation.StartAsync(Config(port));
        var sipLine = await station.WaitForLineAsync(@"SIP listening on udp 127\.0\.0\.1:\d+", Wait);
        var sipPort = int.Parse(System.Text.RegularExpressions.Regex.Match(sipLine, @"127\.0\.0\.1:(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        // A page of another site in the resident's browser: not upgraded at all.
        var foreign = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(port, "https://evil.example"));
        Assert.Contains("403", foreign.Message, StringComparison.Ordinal);

        // A desktop client on the LAN, no Origin: upgraded, but its INVITE in the resident's name is a stranger's.
        using (var socket = await ConnectAsync(port, origin: null))
        {
            var answer = await FinalOverWebSocketAsync(socket, Invite("WSS", "k2j4h5.invalid", "sip:x@k2j4h5.invalid;transport=ws", 1));
            Assert.StartsWith("SIP/2.0 403", answer, StringComparison.Ordinal);
        }

        // Control: the same claim over UDP from the same trusted address is let in and auto-answered.
        var control = await FinalOverUdpAsync(sipPort, 2);
        Assert.StartsWith("SIP/2.0 200", control, StringComparison.Ordinal);
        await station.WaitForLineAsync(@"auto-answered", Wait);

        Assert.Equal(1, station.Count(@"call from .* auto-answered"));
        Assert.Equal(1, station.Count(@"over WSS is not a trusted source"));
        Assert.Equal(0, station.DoorOpenings());
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Intercom.Configuration;
using Intercom.Sip.Transport;

namespace Intercom.Web.Tests;

/// <summary>
/// sip.incomingAuth through PUT /api/config: in force for the next INVITE without a restart, and its password write-only
/// like every other (never returned, kept when a later PUT leaves it out, never in a log or response).
/// </summary>
public class IncomingAuthConfigTests
{
    private const string Password = "Front-Door-Digest-93";

    [Fact]
    public async Task Turned_on_through_the_api_it_challenges_the_next_invite_and_its_password_is_write_only()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await ApiTests.TokenAsync(web, client);
        var port = web.App.SipPort(SipTransportProtocol.Udp);
        // Before: nobody is challenged (this station allowlists nobody, so the INVITE ends in 403).
        Assert.StartsWith("SIP/2.0 403", await InviteAsync(port, 1), StringComparison.Ordinal);

        var config = JsonNode.Parse(await client.GetStringAsyncWith("/api/config", token))!;
        config["sip"]!["incomingAuth"] = new JsonObject
        {
            ["enabled"] = true, ["realm"] = "front-door", ["username"] = "resident", ["password"] = Password, ["algorithms"] = new JsonArray("SHA-256", "MD5"),
        };
        using var put = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: config.ToJsonString(), token: token));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = Json.Parse(await put.Content.ReadAsStringAsync());
        Assert.Single(saved.GetProperty("applied").EnumerateArray(), e => e.GetString() == "sip.incomingAuth");
        Assert.DoesNotContain("sip.incomingAuth", saved.GetProperty("restartRequired").EnumerateArray().Select(e => e.GetString()));

        // The next INVITE without credentials is challenged (SHA-256 first), without a restart.
        var challenged = await InviteAsync(port, 2);
        Assert.StartsWith("SIP/2.0 401", challenged, StringComparison.Ordinal);
        Assert.Contains("realm=\"front-door\"", challenged, StringComparison.Ordinal);

        // Write-only: not returned, kept on disk, kept by a PUT that leaves it out.
        var returned = JsonNode.Parse(await client.GetStringAsyncWith("/api/config", token))!;
        Assert.Null(returned["sip"]!["incomingAuth"]!["password"]);
        returned["name"] = "Front door, renamed";
        using var again = await client.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: returned.ToJsonString(), token: token));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(ConfigLoader.TryLoad(web.Store.Path, out var onDisk, out _));
        Assert.Equal(Password, onDisk!.Sip.IncomingAuth.Password);
        Assert.DoesNotContain(web.Responses, r => r.Body.Contains(Password, StringComparison.Ordinal));
        web.AssertNoSecretLeaked();
    }

    /// <summary>A plain INVITE on a socket of its own; the text of the first answer that is not provisional.</summary>
    private static async Task<string> InviteAsync(int port, int n)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)socket.LocalEndPoint!;
        const string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=sendrecv\r\n";
        var invite = $"INVITE sip:door@127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKweb{n}{local.Port};rport\r\n" +
            $"Max-Forwards: 70\r\nFrom: <sip:resident@127.0.0.1>;tag=w{n}\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: web-auth-{n}-{local.Port}\r\n" +
            $"CSeq: 1 INVITE\r\nContact: <sip:resident@{local}>\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}";
        await socket.SendToAsync(Encoding.ASCII.GetBytes(invite), new IPEndPoint(IPAddress.Loopback, port));
        var buffer = new byte[8192];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10));
            var text = Encoding.UTF8.GetString(buffer, 0, received);
            if (!text.StartsWith("SIP/2.0 1", StringComparison.Ordinal))
            {
                return text;
            }
        }
    }
}

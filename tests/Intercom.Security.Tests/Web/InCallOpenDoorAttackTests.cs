using System.Globalization;
using System.Net;
using System.Text;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;

namespace Intercom.Security.Tests.Web;

/// <summary>
/// The page phone's Open door (POST /api/call/open-door, issue #20) opens the door as a right code in the call does, for
/// the page in that call only. Against the published binary: an API token with the operate scope, the page's cookie
/// without its CSRF token, the page with no call, and the page while the call in progress is a SIP phone's (not the
/// page's own browser phone) are all refused, and the door stays shut; the phone's own right code then opens it, so the
/// call was there to be abused.
/// </summary>
public sealed class InCallOpenDoorAttackTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Only_the_page_in_the_call_opens_the_door_from_it_not_a_token_a_forged_request_or_a_page_beside_another_call()
    {
        var sipPort = FreePort.Next();
        var webPort = FreePort.Next();
        var config = WebStation.Config(webPort, extraStation: """
            "incoming": { "allowlist": [ "sip:resident@127.0.0.1" ], "sources": [ "127.0.0.1" ], "autoAnswer": true, "announcementBeep": false },
            """).Replace("\"port\": 0 } ]", "\"port\": " + sipPort.ToString(CultureInfo.InvariantCulture) + " } ]", StringComparison.Ordinal)
            .Replace("\"audio\": { \"driver\": \"null\" },", "\"audio\": { \"driver\": \"null\" }, \"media\": { \"codecs\": [ \"pcmu\" ] },", StringComparison.Ordinal);
        await using var station = await AotStation.StartAsync(config);
        var page = await WebStation.SetupAsync(station, webPort);
        var operate = await WebStation.TokenAsync(webPort, page, "\"read\",\"operate\"");
        const string Route = "/api/call/open-door";

        // Nothing connected: the page itself is refused.
        Assert.Equal(409, (await RawHttp.SendAsync(webPort, "POST", Route, "{}", WebStation.PageHeaders(page))).Status);

        // The resident's SIP phone calls the door and is answered: a call is in progress, but not the page's.
        using var phone = SipStack.Create(new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "resident", Product = "security-test" } });
        phone.Listen(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0));
        var call = phone.Agent.Dial(SipUri.Parse($"sip:door@127.0.0.1:{sipPort}"), new DialOptions
        {
            From = new SipNameAddress(SipUri.Parse("sip:resident@127.0.0.1"), "Resident"),
            Media = TestMedia.Create(),
        });
        var probe = new CallProbe(call);
        await probe.WaitForAsync("answered", Wait);

        var attempts = new (string Who, Dictionary<string, string>? Headers, int[] Expected)[]
        {
            ("an operate token (the route is the page's only)", WebStation.Bearer(operate), [401, 403]),
            ("the page's cookie without its CSRF token", new() { ["Cookie"] = page.Split('|')[0] }, [403]),
            ("nobody", null, [401, 403]),
            ("the page, while a SIP phone's call is connected", WebStation.PageHeaders(page), [409]),
        };
        foreach (var (who, headers, expected) in attempts)
        {
            var response = await RawHttp.SendAsync(webPort, "POST", Route, "{}", headers);
            Assert.True(expected.Contains(response.Status), $"{who}: {response.Status} {response.Body}");
        }

        // The station decides on its loop before it answers, so a refused request has opened nothing by now.
        Assert.Equal(0, station.DoorOpenings());
        Assert.Equal(0, station.Count(@"open accepted from the web page"));

        // The call was real and could open the door: the phone's own right code does.
        foreach (var digit in "4711")
        {
            var info = await call.SendInfo("application/dtmf-relay", Encoding.ASCII.GetBytes($"Signal={digit}\r\nDuration=160\r\n")).WaitAsync(Wait);
            Assert.Equal(200, info.StatusCode);
        }

        await station.WaitForLineAsync(@"Relay: door energised", Wait);
        Assert.Equal(1, station.DoorOpenings());
        call.Hangup();
        await probe.WaitForAsync("ended", Wait);
    }
}

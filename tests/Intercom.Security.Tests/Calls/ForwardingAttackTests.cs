using System.Net;
using Intercom.Security.Tests.Harness;
using Intercom.Security.Tests.Web;
using Intercom.Sip.Messages;

namespace Intercom.Security.Tests.Calls;

/// <summary>
/// Issue #21.4's 3xx following, attacked through the published binary: the resident's phone (or whoever answers for it)
/// forwards the door's call with a 302 whose best Contact is a host the configuration never calls (a premium-rate
/// gateway, a stranger's phone that would then hear the door and key codes into it). The station skips it and rings
/// only the forward on the configured target's own host and port.
/// </summary>
public sealed class ForwardingAttackTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_forward_to_a_stranger_host_is_not_followed_one_to_the_targets_own_host_is()
    {
        using var desk = new FakeSipPeer();
        using var stranger = new FakeSipPeer(IPAddress.Parse("127.0.0.9"));
        using var strangerOnOtherPort = new FakeSipPeer();
        desk.Redirects["desk"] =
            $"<sip:premium@{stranger.HostPort}>;q=1.0, <sip:premium@{strangerOnOtherPort.HostPort}>;q=0.9, <tel:+19005550100>;q=0.8, <sip:mobile@{desk.HostPort}>;q=0.5";
        var port = FreePort.Next();
        var config = WebStation.Config(port).Replace("\"sip:resident@127.0.0.1:9\"", $"\"sip:desk@{desk.HostPort}\"", StringComparison.Ordinal);
        await using var station = await AotStation.StartAsync(config);
        var page = await WebStation.SetupAsync(station, port);

        var press = await RawHttp.SendAsync(port, "POST", "/api/sim/buttons/button1/press", "{}", WebStation.PageHeaders(page));
        Assert.True(press.Status is 200 or 202, $"press: {press.Status} {press.Body}");

        // The forward is followed on the same host and port: the call reaches the mobile and connects.
        await desk.WaitForAsync(r => r.Method == SipMethods.Invite && r.RequestUri.User == "mobile", "the INVITE to the forward target");
        await station.WaitForLineAsync(@"forwarded \(302\) to sip:mobile@", Wait);
        await station.WaitForLineAsync(@"ring group residents: answered", Wait);

        // Tried in q order, the stranger's hosts came first: had they been rung, they would have been before the mobile.
        Assert.Empty(stranger.Requests);
        Assert.Empty(strangerOnOtherPort.Requests);
        Assert.Single(desk.Requests.Where(r => r.Method == SipMethods.Invite && r.RequestUri.User == "desk").DistinctBy(r => r.CallId));
    }
}

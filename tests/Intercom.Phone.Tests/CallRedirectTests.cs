using System.Net;
using Intercom.Sip.Messages;
using Intercom.Station.Calls;

namespace Intercom.Phone.Tests;

/// <summary>
/// Issue #21.4: a callee that forwards (302) is followed on the same leg, within limits: to a target on the configured
/// target's host or on one of the accounts' servers (through that account), at most three hops, never back to a URI
/// already rung; a redirect anywhere else ends the leg with the 302, and nothing is sent there.
/// </summary>
public sealed class CallRedirectTests : IDisposable
{
    private readonly TwoAccountPbxs _pbxs = new();

    public void Dispose() => _pbxs.Dispose();

    [Fact]
    public async Task A_forward_to_another_extension_on_the_same_pbx_rings_it_on_the_same_leg()
    {
        using var phone = Start();
        var events = CallEvents.Of(phone);
        _pbxs.A.Redirects["desk"] = $"<sip:mobile@{_pbxs.A.HostPort}>";

        var call = phone.Calls.Dial($"sip:desk@{_pbxs.A.HostPort}", "a");

        var redirected = await events.WaitAsync(call, CallEventKind.Redirected);
        await events.WaitAsync(call, CallEventKind.Answered);
        Assert.Equal($"sip:mobile@{_pbxs.A.HostPort}", redirected.RemoteUri);
        Assert.Equal(302, redirected.SipStatus);
        var invites = _pbxs.A.Requests.Where(r => r.Method == SipMethods.Invite).Select(r => r.RequestUri.User ?? "").Distinct().ToArray();
        Assert.Equal(["desk", "mobile"], invites);
        Assert.DoesNotContain(events.Of(call), e => e.Kind == CallEventKind.Ended);
    }

    [Fact]
    public async Task A_forward_to_the_other_accounts_server_goes_out_through_that_account()
    {
        using var phone = Start();
        var events = CallEvents.Of(phone);
        _pbxs.A.Redirects["desk"] = $"<sip:mobile@{_pbxs.B.HostPort}>";

        var call = phone.Calls.Dial($"sip:desk@{_pbxs.A.HostPort}", "a");

        var invite = await _pbxs.B.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at b");
        var answered = await events.WaitAsync(call, CallEventKind.Answered);
        Assert.Equal("door-b", invite.From!.Uri.User);
        Assert.Equal("b", events.AccountAt(answered));
    }

    [Fact]
    public async Task A_forward_to_a_host_the_configuration_never_calls_is_not_followed()
    {
        using var stranger = new FakeSipPeer(IPAddress.Parse("127.0.0.9"));
        using var phone = Start();
        var events = CallEvents.Of(phone);
        _pbxs.A.Redirects["desk"] = $"<sip:premium-line@{stranger.HostPort}>";

        var call = phone.Calls.Dial($"sip:desk@{_pbxs.A.HostPort}", "a");

        var ended = await events.WaitAsync(call, CallEventKind.Ended);
        Assert.Equal(302, ended.SipStatus);
        Assert.DoesNotContain(events.Of(call), e => e.Kind == CallEventKind.Redirected);
        Assert.Empty(stranger.Requests);
    }

    [Fact]
    public async Task A_forwarding_loop_stops_at_the_first_uri_already_rung()
    {
        using var phone = Start();
        var events = CallEvents.Of(phone);
        _pbxs.A.Redirects["desk"] = $"<sip:mobile@{_pbxs.A.HostPort}>";
        _pbxs.A.Redirects["mobile"] = $"<sip:desk@{_pbxs.A.HostPort}>";

        var call = phone.Calls.Dial($"sip:desk@{_pbxs.A.HostPort}", "a");

        Assert.Equal(302, (await events.WaitAsync(call, CallEventKind.Ended)).SipStatus);
        Assert.Single(events.Of(call), e => e.Kind == CallEventKind.Redirected);
        Assert.Equal(["desk", "mobile"], InvitedUsers());
    }

    [Fact]
    public async Task A_chain_of_forwards_is_followed_three_hops_at_most()
    {
        using var phone = Start();
        var events = CallEvents.Of(phone);
        for (var i = 0; i < 6; i++)
        {
            _pbxs.A.Redirects[$"hop{i}"] = $"<sip:hop{i + 1}@{_pbxs.A.HostPort}>";
        }

        var call = phone.Calls.Dial($"sip:hop0@{_pbxs.A.HostPort}", "a");

        Assert.Equal(302, (await events.WaitAsync(call, CallEventKind.Ended)).SipStatus);
        Assert.Equal(3, events.Of(call).Count(e => e.Kind == CallEventKind.Redirected));
        Assert.Equal(["hop0", "hop1", "hop2", "hop3"], InvitedUsers());
    }

    private string[] InvitedUsers() =>
        [.. _pbxs.A.Requests.Where(r => r.Method == SipMethods.Invite).Select(r => r.RequestUri.User ?? "").Distinct()];

    private SipPhone Start() => TwoAccountPhone.Start(_pbxs, register: false);
}

using System.Net;
using Intercom.Audio;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station.Calls;
using CallEndReason = Intercom.Station.Calls.CallEndReason;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Phone.Tests;

/// <summary>
/// Issue #18, through the phone layer's own API (no configuration file, no station): the account named for a call is the
/// one it goes out through; a call refused by its account's server falls over to the next account on the same leg, one
/// the callee declines does not; an incoming call belongs to the account whose binding (registrar flow and user) it
/// reached. Two "PBXs" on two loopback hosts, over UDP.
/// </summary>
public sealed class PhoneAccountTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TwoAccountPbxs _pbxs = new();

    public void Dispose() => _pbxs.Dispose();

    [Fact]
    public async Task A_call_naming_the_second_account_goes_out_as_it()
    {
        using var phone = Start(register: false);

        phone.Calls.Dial("resident", "b");

        var invite = await _pbxs.B.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at b");
        Assert.Equal("door-b", invite.From!.Uri.User);
        Assert.Equal("Door B", invite.From.DisplayName);
        Assert.Equal($"sip:resident@{_pbxs.B.HostPort}", invite.RequestUri.ToString());
        Assert.DoesNotContain(_pbxs.A.Requests, r => r.Method == SipMethods.Invite);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(403)]
    public async Task A_call_refused_by_the_first_accounts_server_falls_over_to_the_next_account(int status)
    {
        using var phone = Start(register: false);
        _pbxs.A.InviteStatus = status;
        var events = CallEvents.Of(phone);

        var call = phone.Calls.Dial("resident", "a");

        var first = await _pbxs.A.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at a");
        var second = await _pbxs.B.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at b");
        var answered = await events.WaitAsync(call, CallEventKind.Answered);
        Assert.Equal("door-a", first.From!.Uri.User);
        Assert.Equal("door-b", second.From!.Uri.User);
        // The extension is put on the next account's domain: the server that refused is not asked again.
        Assert.Equal($"sip:resident@{_pbxs.B.HostPort}", second.RequestUri.ToString());
        Assert.Equal("b", events.AccountAt(answered));
        // One leg: no end between the attempts.
        Assert.DoesNotContain(events.Of(call).TakeWhile(e => e != answered), e => e.Kind == CallEventKind.Ended);
    }

    [Theory]
    [InlineData(486, CallEndReason.Busy)]
    [InlineData(603, CallEndReason.Declined)]
    [InlineData(404, CallEndReason.Declined)]
    public async Task A_callee_who_declines_ends_the_call_without_trying_another_account(int status, CallEndReason reason)
    {
        using var phone = Start(register: false);
        _pbxs.A.InviteStatus = status;
        var events = CallEvents.Of(phone);

        var call = phone.Calls.Dial("resident", "a");

        var ended = await events.WaitAsync(call, CallEventKind.Ended);
        Assert.Equal(reason, ended.EndReason);
        // A failover is placed before the end would be reported, so none came.
        Assert.DoesNotContain(_pbxs.B.Requests, r => r.Method == SipMethods.Invite);
    }

    [Fact]
    public async Task When_every_account_fails_the_leg_ends_once_with_the_last_failure()
    {
        using var phone = Start(register: false);
        _pbxs.A.InviteStatus = 503;
        _pbxs.B.InviteStatus = 503;
        var events = CallEvents.Of(phone);

        var call = phone.Calls.Dial("resident", "a");

        var ended = await events.WaitAsync(call, CallEventKind.Ended);
        Assert.Equal(CallEndReason.Failed, ended.EndReason);
        Assert.Equal(503, ended.SipStatus);
        // Each account tried once (a retransmission of the same INVITE has its Call-ID).
        Assert.Single(_pbxs.A.Requests.Where(r => r.Method == SipMethods.Invite).Select(r => r.CallId).Distinct());
        Assert.Single(_pbxs.B.Requests.Where(r => r.Method == SipMethods.Invite).Select(r => r.CallId).Distinct());
        Assert.Single(events.Of(call), e => e.Kind == CallEventKind.Ended);
    }

    [Fact]
    public async Task An_unknown_account_fails_the_call_at_once()
    {
        using var phone = Start(register: false);
        var events = CallEvents.Of(phone);

        var call = phone.Calls.Dial("resident", "nobody");

        Assert.Equal(CallEndReason.Failed, (await events.WaitAsync(call, CallEventKind.Ended)).EndReason);
        Assert.Empty(_pbxs.A.Requests);
        Assert.Empty(_pbxs.B.Requests);
    }

    [Theory]
    [InlineData("door-b")]
    [InlineData("someone-else")]
    public async Task An_incoming_call_through_the_second_accounts_registrar_is_that_accounts_call(string user)
    {
        using var phone = Start(register: true);
        await RegisteredAsync(phone, "a");
        await RegisteredAsync(phone, "b");
        var incoming = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        phone.Calls.CallEvent += (_, e) =>
        {
            if (e.Kind == CallEventKind.Incoming)
            {
                incoming.TrySetResult(phone.Calls.AccountOf(e.Call));
            }
        };

        var station = new IPEndPoint(IPAddress.Loopback, phone.SipPort(SipTransportProtocol.Udp));
        await _pbxs.B.SendAsync(Invite(user, station), station);

        Assert.Equal("b", await incoming.Task.WaitAsync(Wait));
    }

    private SipPhone Start(bool register) => TwoAccountPhone.Start(_pbxs, register);

    private static string Invite(string user, IPEndPoint station)
    {
        var sdp = "v=0\r\no=pbx 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return $"INVITE sip:{user}@{station} SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-account-test\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:resident@127.0.0.2>;tag=resident\r\n"
            + $"To: <sip:{user}@{station}>\r\n"
            + "Call-ID: account-test@127.0.0.2\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:resident@127.0.0.2:5060>\r\n"
            + "Content-Type: application/sdp\r\n"
            + $"Content-Length: {sdp.Length}\r\n\r\n" + sdp;
    }

    private static async Task RegisteredAsync(SipPhone phone, string accountId)
    {
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(AccountRegistration registration, RegistrationStatus status)
        {
            if (registration.AccountId == accountId && status.State == RegistrationState.Registered)
            {
                registered.TrySetResult();
            }
        }

        phone.Accounts.StatusChanged += OnChange;
        try
        {
            if (phone.Accounts.Current.Any(r => r.AccountId == accountId && r.Client.Status.State == RegistrationState.Registered))
            {
                return;
            }

            await registered.Task.WaitAsync(Wait);
        }
        finally
        {
            phone.Accounts.StatusChanged -= OnChange;
        }
    }
}

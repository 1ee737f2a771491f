using System.Net;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Phone;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Intercom.Tests.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Tests.Calls;

/// <summary>
/// Issue #18, accounts as users expect them (baresip and pjsua do this): a ring group and the API's dial name the account
/// to call from; a call that fails on its account's side falls over to the next account, one the callee declines does
/// not; an incoming call belongs to the account whose binding it reached. Two "PBXs" on two loopback hosts, over UDP.
/// </summary>
public sealed class AccountCallTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeSipPeer _a = new(IPAddress.Loopback);
    private readonly FakeSipPeer _b = new(IPAddress.Parse("127.0.0.2"));

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    [Fact]
    public async Task A_ring_group_naming_the_second_account_calls_from_it()
    {
        using var app = Start(register: false);

        app.Station.Dial("via-b", "test");

        var invite = await _b.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at b");
        Assert.Equal("door-b", invite.From!.Uri.User);
        Assert.Equal($"sip:resident@{_b.HostPort}", invite.RequestUri.ToString());
        Assert.DoesNotContain(_a.Requests, r => r.Method == SipMethods.Invite);
    }

    [Fact]
    public async Task The_api_dial_names_the_account_of_a_single_target()
    {
        using var app = Start(register: false);

        app.Station.Dial("resident", "api", "b");

        var invite = await _b.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at b");
        Assert.Equal("door-b", invite.From!.Uri.User);
        Assert.DoesNotContain(_a.Requests, r => r.Method == SipMethods.Invite);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(403)]
    public async Task A_call_refused_by_the_first_accounts_server_falls_over_to_the_next_account(int status)
    {
        using var app = Start(register: false);
        _a.InviteStatus = status;
        var events = Record(app);

        var call = app.Calls.Dial("resident", "a");

        var first = await _a.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at a");
        var second = await _b.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at b");
        var answered = await events.WaitAsync(call, CallEventKind.Answered);
        Assert.Equal("door-a", first.From!.Uri.User);
        Assert.Equal("door-b", second.From!.Uri.User);
        // The extension is put on the next account's domain: the server that refused is not asked again.
        Assert.Equal($"sip:resident@{_b.HostPort}", second.RequestUri.ToString());
        Assert.Equal("b", events.AccountAt(answered));
        // One leg for the station: no end between the attempts.
        Assert.DoesNotContain(events.Of(call).TakeWhile(e => e != answered), e => e.Kind == CallEventKind.Ended);
    }

    [Theory]
    [InlineData(486, CallEndReason.Busy)]
    [InlineData(603, CallEndReason.Declined)]
    public async Task A_callee_who_declines_ends_the_call_without_trying_another_account(int status, CallEndReason reason)
    {
        using var app = Start(register: false);
        _a.InviteStatus = status;
        var events = Record(app);

        var call = app.Calls.Dial("resident", "a");

        var ended = await events.WaitAsync(call, CallEventKind.Ended);
        Assert.Equal(reason, ended.EndReason);
        // A failover is placed before the end would be reported, so none came.
        Assert.DoesNotContain(_b.Requests, r => r.Method == SipMethods.Invite);
    }

    [Fact]
    public async Task An_unknown_account_fails_the_call_at_once()
    {
        using var app = Start(register: false);
        var events = Record(app);

        var call = app.Calls.Dial("resident", "nobody");

        Assert.Equal(CallEndReason.Failed, (await events.WaitAsync(call, CallEventKind.Ended)).EndReason);
        Assert.Empty(_a.Requests);
        Assert.Empty(_b.Requests);
    }

    [Theory]
    [InlineData("door-b")]
    [InlineData("someone-else")]
    public async Task An_incoming_call_through_the_second_accounts_registrar_is_that_accounts_call(string user)
    {
        using var app = Start(register: true);
        await RegisteredAsync(app, "a");
        await RegisteredAsync(app, "b");
        var incoming = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Calls.CallEvent += (_, e) =>
        {
            if (e.Kind == CallEventKind.Incoming)
            {
                incoming.TrySetResult(app.Calls.AccountOf(e.Call));
            }
        };

        var station = new IPEndPoint(IPAddress.Loopback, app.SipPort(SipTransportProtocol.Udp));
        await _b.SendAsync(Invite(user, station), station);

        Assert.Equal("b", await incoming.Task.WaitAsync(Wait));
    }

    private StationApp Start(bool register)
    {
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts =
        [
            new SipAccountConfig { Id = "a", Aor = $"sip:door-a@{_a.HostPort}", Register = register, Password = "a-secret", Keepalive = "off" },
            new SipAccountConfig { Id = "b", Aor = $"sip:door-b@{_b.HostPort}", Register = register, Password = "b-secret", Keepalive = "off" },
        ];
        config.Media.Codecs = ["pcmu"];
        config.Audio.Driver = "null";
        config.Station.RingGroups =
        [
            new RingGroupConfig { Id = "residents", Targets = ["resident"] },
            new RingGroupConfig { Id = "via-b", Account = "b", Targets = ["resident"] },
        ];
        config.Station.EventLog.PersistPath = null;
        Assert.Empty(ConfigValidator.Validate(config));
        return StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
    }

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

    private static async Task RegisteredAsync(StationApp app, string accountId)
    {
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(AccountRegistration registration, RegistrationStatus status)
        {
            if (registration.AccountId == accountId && status.State == RegistrationState.Registered)
            {
                registered.TrySetResult();
            }
        }

        app.Accounts.StatusChanged += OnChange;
        try
        {
            if (app.Accounts.Current.Any(r => r.AccountId == accountId && r.Client.Status.State == RegistrationState.Registered))
            {
                return;
            }

            await registered.Task.WaitAsync(Wait);
        }
        finally
        {
            app.Accounts.StatusChanged -= OnChange;
        }
    }

    private static CallEvents Record(StationApp app)
    {
        var events = new CallEvents();
        app.Calls.CallEvent += (_, e) => events.Add(e, app.Calls.AccountOf(e.Call));
        return events;
    }

    /// <summary>The call events raised so far, and a wait for the next of a kind.</summary>
    private sealed class CallEvents
    {
        private readonly List<CallEventArgs> _events = [];
        private readonly Dictionary<CallEventArgs, string?> _accounts = [];
        private readonly SemaphoreSlim _added = new(0);

        /// <summary>Records <paramref name="e"/> and the account its call was on when it was raised.</summary>
        public void Add(CallEventArgs e, string? account)
        {
            lock (_events)
            {
                _events.Add(e);
                _accounts[e] = account;
            }

            _added.Release();
        }

        public string? AccountAt(CallEventArgs e)
        {
            lock (_events)
            {
                return _accounts[e];
            }
        }

        public IReadOnlyList<CallEventArgs> Of(CallHandle call)
        {
            lock (_events)
            {
                return [.. _events.Where(e => e.Call == call)];
            }
        }

        public async Task<CallEventArgs> WaitAsync(CallHandle call, CallEventKind kind)
        {
            var deadline = DateTime.UtcNow + Wait;
            while (true)
            {
                if (Of(call).FirstOrDefault(e => e.Kind == kind) is { } found)
                {
                    return found;
                }

                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero && await _added.WaitAsync(left), $"no {kind} event for the call within {Wait}");
            }
        }
    }
}

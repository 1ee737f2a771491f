using System.Collections.Concurrent;
using System.Text;
using Intercom.Interop.Tests.Peers;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Sip.UserAgent.Registration;

// Not "...Tests.Linphone": a namespace of that name would hide the Peers.Linphone type from every test namespace.
namespace Intercom.Interop.Tests.Calls;

/// <summary>
/// Calls between the door station's user agent and liblinphone (linphone-daemon registered at Kamailio, auto-answering,
/// sending DTMF as SIP INFO): we call it and either side hangs up; it calls us, at our URI or at the address-of-record we
/// registered, and we answer, or it cancels while we ring; its digits reach us as INFO requests with an
/// application/dtmf-relay body.
/// </summary>
public sealed class LinphoneCallTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-linphone-calls-").FullName;
    private Kamailio _kamailio = null!;
    private SipStack _door = null!;
    private Linphone _dave = null!;

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"), authenticateInvites: false);
        _kamailio.Users["dave"] = "dave-secret";
        _kamailio.Users["door"] = "door-secret";
        await _kamailio.StartAsync();
        _door = TestStacks.Create(_kamailio.Certificates, "door", SipTransportProtocol.Udp);
        _dave = Linphone.Create(Path.Combine(_dir, "dave"), "dave", autoAnswer: true, Linphone.DtmfMethod.SipInfo);
        await _dave.StartAsync();
        var account = await _dave.RegisterAsync("sip:dave@127.0.0.1", $"sip:127.0.0.1:{_kamailio.UdpPort}", "dave-secret");
        await _dave.WaitForRegistrationAsync(account, Wait);
    }

    public async Task DisposeAsync()
    {
        _door.Dispose();
        await _dave.DisposeAsync();
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private CallProbe DialDave() => new(_door.Agent.Dial(SipUri.Parse($"sip:dave@127.0.0.1:{_kamailio.UdpPort}"), new DialOptions
    {
        From = new SipNameAddress(SipUri.Parse($"sip:door@127.0.0.1:{_kamailio.UdpPort}"), "Front door"),
        Media = TestMedia.Create(),
        OutboundProxy = SipUri.Parse($"sip:127.0.0.1:{_kamailio.UdpPort}"),
    }));

    /// <summary>Answers the next incoming call with our SDP side and hands back its probe.</summary>
    private Task<CallProbe> AnswerNextIncomingCall()
    {
        var incoming = new TaskCompletionSource<CallProbe>(TaskCreationOptions.RunContinuationsAsynchronously);
        _door.Agent.IncomingCall += call =>
        {
            var probe = new CallProbe(call);
            call.Answer(TestMedia.Create());
            incoming.TrySetResult(probe);
        };
        return incoming.Task.WaitAsync(Wait);
    }

    private string FailureContext() =>
        $"\nkamailio:\n{_kamailio.Process.Tail(30)}\nlinphone:\n{_dave.Tail(40)}";

    [Fact]
    public async Task We_call_linphone_it_answers_and_we_hang_up()
    {
        var probe = DialDave();
        try
        {
            await probe.WaitForAsync("answered", Wait);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + FailureContext(), e);
        }

        var call = await _dave.WaitForCallStateAsync("StreamsRunning", Wait);
        Assert.True(call > 0, $"linphone call id {call}");
        Assert.Equal(CallState.Established, probe.Call.State);

        probe.Call.Hangup();
        await probe.WaitForAsync("ended", Wait);
        Assert.Equal(CallEndReason.LocalHangup, probe.Call.EndReason);
        await _dave.WaitForCallStateAsync("Released", Wait, call);
        await _kamailio.Process.WaitForLineAsync(@"request BYE sip:dave@127\.0\.0\.1:" + _dave.SipPort, Wait);
    }

    [Fact]
    public async Task We_call_linphone_and_it_hangs_up()
    {
        var probe = DialDave();
        await probe.WaitForAsync("answered", Wait);
        var call = await _dave.WaitForCallStateAsync("StreamsRunning", Wait);

        await _dave.TerminateAsync();
        await probe.WaitForAsync("ended", Wait);
        Assert.Equal(CallEndReason.RemoteHangup, probe.Call.EndReason);
        await _dave.WaitForCallStateAsync("Released", Wait, call);
    }

    [Fact]
    public async Task Linphone_cancels_while_we_ring()
    {
        var ringing = new TaskCompletionSource<CallProbe>(TaskCreationOptions.RunContinuationsAsynchronously);
        _door.Agent.IncomingCall += call =>
        {
            var probe = new CallProbe(call);
            call.Ring();
            ringing.TrySetResult(probe);
        };
        var call = await _dave.CallAsync($"sip:door@127.0.0.1:{_door.Port(SipTransportProtocol.Udp)}");
        var probe = await ringing.Task.WaitAsync(Wait);
        await _dave.WaitForCallStateAsync("OutgoingRinging", Wait, call);

        await _dave.TerminateAsync(call);
        await probe.WaitForAsync("ended", Wait);
        Assert.Equal(CallEndReason.RemoteCancelled, probe.Call.EndReason);
        Assert.DoesNotContain("answered", probe.Events);
        await _dave.WaitForCallStateAsync("Released", Wait, call);
        await _kamailio.Process.WaitForLineAsync(@"request CANCEL sip:door@", Wait);
    }

    [Fact]
    public async Task Linphone_calls_us_through_kamailio_and_we_answer()
    {
        var answered = AnswerNextIncomingCall();
        var doorUri = $"sip:door@127.0.0.1:{_door.Port(SipTransportProtocol.Udp)}";
        var call = await _dave.CallAsync(doorUri);
        var probe = await answered;
        Assert.Equal("dave", probe.Call.RemoteUri.User);
        await probe.WaitForAsync("answered", Wait);
        await _dave.WaitForCallStateAsync("StreamsRunning", Wait, call);
        // linphone's account routes the INVITE through its registrar (Kamailio logs every request it handles).
        await _kamailio.Process.WaitForLineAsync($@"request INVITE {doorUri.Replace(".", @"\.", StringComparison.Ordinal)} from 127\.0\.0\.1:{_dave.SipPort}", Wait);

        await _dave.TerminateAsync(call);
        await probe.WaitForAsync("ended", Wait);
        Assert.Equal(CallEndReason.RemoteHangup, probe.Call.EndReason);
        await _dave.WaitForCallStateAsync("Released", Wait, call);
    }

    [Fact]
    public async Task Linphone_calls_the_address_we_registered_and_we_answer()
    {
        using var registration = new RegistrationClient(_door.Transactions, _door.Locator, new RegistrationOptions
        {
            AddressOfRecord = SipUri.Parse($"sip:door@127.0.0.1:{_kamailio.UdpPort}"),
            Credentials = new DigestCredentials("door", "door-secret"),
            ContactUser = "door",
            Expires = TimeSpan.FromMinutes(10),
        });
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        registration.StatusChanged += (_, status) =>
        {
            if (status.State == RegistrationState.Registered)
            {
                registered.TrySetResult();
            }
        };
        registration.Start();
        try
        {
            await registered.Task.WaitAsync(Wait);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"not registered: {registration.Status.State}{FailureContext()}", e);
        }

        var answered = AnswerNextIncomingCall();
        // The address-of-record, not our contact: Kamailio finds us through the binding (RFC 3261 §10.3, §16.5).
        var call = await _dave.CallAsync($"sip:door@127.0.0.1:{_kamailio.UdpPort}");
        var probe = await answered;
        await probe.WaitForAsync("answered", Wait);
        await _dave.WaitForCallStateAsync("StreamsRunning", Wait, call);
        await _kamailio.Process.WaitForLineAsync($@"request INVITE sip:door@127\.0\.0\.1:{_kamailio.UdpPort} from 127\.0\.0\.1:{_dave.SipPort}", Wait);
        // Kamailio retargeted the request to the contact we registered.
        Assert.Equal(_door.Port(SipTransportProtocol.Udp), probe.Call.IncomingRequest?.RequestUri.Port);

        probe.Call.Hangup();
        await probe.WaitForAsync("ended", Wait);
        await _dave.WaitForCallStateAsync("Released", Wait, call);
        await registration.StopAsync().WaitAsync(Wait);
    }

    [Fact]
    public async Task Digits_linphone_sends_as_sip_info_reach_the_call()
    {
        var infos = new ConcurrentQueue<(string ContentType, string Body)>();
        using var infoArrived = new SemaphoreSlim(0);
        var probe = DialDave();
        probe.Call.InfoReceived += (_, contentType, body) =>
        {
            infos.Enqueue((contentType, Encoding.UTF8.GetString(body.Span)));
            infoArrived.Release();
        };
        await probe.WaitForAsync("answered", Wait);
        await _dave.WaitForCallStateAsync("StreamsRunning", Wait);

        foreach (var digit in "1#")
        {
            await _dave.SendDtmfAsync(digit);
        }

        for (var i = 0; i < 2; i++)
        {
            Assert.True(await infoArrived.WaitAsync(Wait), $"INFO {i + 1} did not arrive; events: {string.Join(", ", probe.Events)}{FailureContext()}");
        }

        var received = infos.ToArray();
        Assert.All(received, i => Assert.Equal("application/dtmf-relay", i.ContentType, ignoreCase: true));
        // No RFC defines application/dtmf-relay; phones and PBXs agree on "Signal=<digit>" and "Duration=<ms>" lines.
        Assert.Matches(@"Signal=\s*1\r?\n", received[0].Body);
        Assert.Matches(@"Signal=\s*#\r?\n", received[1].Body);
        Assert.All(received, i => Assert.Matches(@"Duration=\s*\d+", i.Body));
        await _kamailio.Process.WaitForLineAsync(@"request INFO sip:door@", Wait);

        probe.Call.Hangup();
        await probe.WaitForAsync("ended", Wait);
    }
}

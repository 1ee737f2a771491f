using Intercom.Interop.Tests.Peers;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;

namespace Intercom.Interop.Tests.Calls;

/// <summary>
/// Calls between the door station's user agent and baresip phones registered at Kamailio (RFC 3261 §13–§15): answer and
/// hang up from either side, cancel before answer, hold and resume by re-INVITE; over UDP and over TLS.
/// </summary>
public sealed class BaresipCallTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-calls-").FullName;
    private Kamailio _kamailio = null!;
    private SipStack _door = null!;
    private Baresip _bob = null!;

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"), authenticateInvites: false);
        _kamailio.Users["bob"] = "bob-secret";
        _kamailio.Users["carol"] = "carol-secret";
        _kamailio.Users["door"] = "door-secret";
        await _kamailio.StartAsync();
        _door = TestStacks.Create(_kamailio.Certificates, "door", SipTransportProtocol.Udp, SipTransportProtocol.Tcp, SipTransportProtocol.Tls);
        _bob = await StartPhone("bob", "auto");
    }

    public async Task DisposeAsync()
    {
        _door.Dispose();
        await _bob.DisposeAsync();
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<Baresip> StartPhone(string user, string answerMode)
    {
        var phone = Baresip.Create(Path.Combine(_dir, user),
            $"<sip:{user}@127.0.0.1:{_kamailio.UdpPort}>;auth_pass={user}-secret;answermode={answerMode};regint=600;audio_codecs=PCMU,PCMA");
        await phone.StartAsync();
        await phone.WaitForRegistrationAsync(Wait);
        return phone;
    }

    private CallProbe Dial(string user, string transport = "udp")
    {
        var port = transport switch { "tcp" => _kamailio.TcpPort, "tls" => _kamailio.TlsPort, _ => _kamailio.UdpPort };
        var call = _door.Agent.Dial(SipUri.Parse($"sip:{user}@127.0.0.1:{_kamailio.UdpPort}"), new DialOptions
        {
            From = new SipNameAddress(SipUri.Parse($"sip:door@127.0.0.1:{_kamailio.UdpPort}"), "Front door"),
            Media = TestMedia.Create(),
            OutboundProxy = SipUri.Parse($"sip:127.0.0.1:{port};transport={transport}"),
        });
        return new CallProbe(call);
    }

    /// <summary>Bob (auto-answer) is called; both sides agree the call is established.</summary>
    private async Task<CallProbe> AnsweredCallToBob(string transport = "udp")
    {
        var probe = Dial("bob", transport);
        await probe.WaitForAsync("answered", Wait);
        await _bob.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        return probe;
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tls")]
    public async Task We_call_baresip_it_answers_and_we_hang_up(string transport)
    {
        var probe = await AnsweredCallToBob(transport);
        probe.Call.Hangup();
        await _bob.WaitForEventAsync("CALL_CLOSED", Wait);
        await probe.WaitForAsync("ended", Wait);
        Assert.Equal(CallEndReason.LocalHangup, probe.Call.EndReason);
        await _kamailio.Process.WaitForLineAsync($"request INVITE sip:bob@.*\\({transport}\\)", Wait);
    }

    [Fact]
    public async Task We_call_baresip_and_baresip_hangs_up()
    {
        var probe = await AnsweredCallToBob();
        await _bob.CommandAsync("hangup");
        await probe.WaitForAsync("ended", Wait);
        Assert.Equal(CallEndReason.RemoteHangup, probe.Call.EndReason);
    }

    [Fact]
    public async Task Baresip_calls_us_and_we_answer()
    {
        var incoming = new TaskCompletionSource<CallProbe>(TaskCreationOptions.RunContinuationsAsynchronously);
        _door.Agent.IncomingCall += call =>
        {
            var probe = new CallProbe(call);
            call.Answer(TestMedia.Create());
            incoming.TrySetResult(probe);
        };
        await _bob.CommandAsync("dial", $"sip:door@127.0.0.1:{_door.Port(SipTransportProtocol.Udp)}");
        var probe = await incoming.Task.WaitAsync(Wait);
        Assert.Equal("bob", probe.Call.RemoteUri.User);
        await probe.WaitForAsync("answered", Wait);
        await _bob.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await _bob.CommandAsync("hangup");
        await probe.WaitForAsync("ended", Wait);
        Assert.Equal(CallEndReason.RemoteHangup, probe.Call.EndReason);
    }

    [Fact]
    public async Task We_cancel_before_the_phone_answers()
    {
        await using var carol = await StartPhone("carol", "manual");
        var probe = Dial("carol");
        await carol.WaitForEventAsync("CALL_INCOMING", Wait);
        await probe.WaitForAsync("ringing", Wait);
        probe.Call.Hangup();
        await carol.WaitForEventAsync("CALL_CLOSED", Wait);
        await probe.WaitForAsync("ended", Wait);
        Assert.Equal(CallEndReason.Cancelled, probe.Call.EndReason);
        Assert.DoesNotContain("answered", probe.Events);
        await _kamailio.Process.WaitForLineAsync("request CANCEL sip:carol@", Wait);
    }

    [Fact]
    public async Task Baresip_puts_us_on_hold_and_resumes()
    {
        var probe = await AnsweredCallToBob();
        await _bob.CommandAsync("hold");
        await probe.WaitForAsync("held", Wait);
        Assert.True(probe.Call.IsHeldByPeer);
        await _bob.CommandAsync("resume");
        await probe.WaitForAsync("resumed", Wait);
        Assert.False(probe.Call.IsHeldByPeer);
        Assert.Equal(CallState.Established, probe.Call.State);
        probe.Call.Hangup();
        await probe.WaitForAsync("ended", Wait);
    }
}

using System.Net.NetworkInformation;
using System.Net.Sockets;
using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Harness;

/// <summary>
/// The linphone-daemon driver the interop tests use: it registers at the test Kamailio, calls and is called by a baresip
/// phone through it, and sends DTMF as SIP INFO when told to.
/// </summary>
public sealed class LinphoneHarnessTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-linphone-").FullName;
    private Kamailio _kamailio = null!;

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"));
        _kamailio.Users["dave"] = "dave-secret";
        _kamailio.Users["bob"] = "bob-secret";
        await _kamailio.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<Linphone> StartRegisteredLinphoneAsync(bool autoAnswer, Linphone.DtmfMethod dtmf = Linphone.DtmfMethod.Rfc4733)
    {
        var linphone = Linphone.Create(Path.Combine(_dir, "dave"), "dave", autoAnswer, dtmf);
        try
        {
            await linphone.StartAsync();
            var account = await linphone.RegisterAsync("sip:dave@127.0.0.1", $"sip:127.0.0.1:{_kamailio.UdpPort}", "dave-secret");
            await linphone.WaitForRegistrationAsync(account, Wait);
            return linphone;
        }
        catch
        {
            await linphone.DisposeAsync();
            throw;
        }
    }

    private async Task<Baresip> StartBobAsync(string answerMode)
    {
        var bob = Baresip.Create(Path.Combine(_dir, "bob"),
            $"<sip:bob@127.0.0.1:{_kamailio.UdpPort}>;auth_pass=bob-secret;answermode={answerMode};regint=600;audio_codecs=PCMU");
        try
        {
            await bob.StartAsync();
            await bob.WaitForRegistrationAsync(Wait);
            return bob;
        }
        catch
        {
            await bob.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// liblinphone guesses a local address from the default route unless told otherwise: no SIP header, SDP line or socket
    /// in its log may name one of the machine's real interface addresses. The one line that reports the guess is skipped: the
    /// next one ("Found media local-ip from configuration file") shows [rtp] bind_address replacing it.
    /// </summary>
    private static void AssertOnlyLoopback(Linphone linphone)
    {
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !System.Net.IPAddress.IsLoopback(a) && !(a.AddressFamily == AddressFamily.InterNetworkV6 && a.IsIPv6LinkLocal));
        var lines = linphone.ReadLog().Split('\n').Where(l => !l.Contains("Media local-ip for streams advertised in SDP", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.StartsWith("c=IN IP4 127.0.0.1", StringComparison.Ordinal));
        foreach (var address in addresses)
        {
            var text = address.ToString();
            var used = lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            Assert.True(used is null, $"linphone used {address}: {used}");
        }
    }

    [Fact]
    public async Task Starts_on_loopback_only_and_removes_its_socket()
    {
        string socketPath;
        await using (var linphone = Linphone.Create(Path.Combine(_dir, "solo")))
        {
            await linphone.StartAsync();
            socketPath = linphone.SocketPath;
            var version = await linphone.CommandOkAsync("version");
            Assert.StartsWith("5.", version.Field("Version"), StringComparison.Ordinal);

            var ports = await linphone.CommandOkAsync("port sip");
            Assert.Equal($"{linphone.SipPort} UDP", ports.Field("SIP"));
            Assert.True(linphone.LogContains($"Creating listening point") && linphone.LogContains($"[sip:127.0.0.1:{linphone.SipPort};transport=UDP]"),
                linphone.Tail());
            Assert.True(File.Exists(socketPath));
        }

        Assert.False(File.Exists(socketPath));
    }

    [Fact]
    public async Task Registers_at_kamailio()
    {
        await using var linphone = await StartRegisteredLinphoneAsync(autoAnswer: false);
        await _kamailio.Process.WaitForLineAsync(@"request REGISTER sip:127\.0\.0\.1.* from 127\.0\.0\.1:" + linphone.SipPort, Wait);
    }

    [Fact]
    public async Task Calls_baresip_through_kamailio_and_hangs_up()
    {
        await using var bob = await StartBobAsync("auto");
        await using var linphone = await StartRegisteredLinphoneAsync(autoAnswer: false);

        var call = await linphone.CallAsync($"sip:bob@127.0.0.1:{_kamailio.UdpPort}");
        await linphone.WaitForCallStateAsync("StreamsRunning", Wait, call);
        await bob.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await _kamailio.Process.WaitForLineAsync(@"request INVITE sip:bob@127\.0\.0\.1.* from 127\.0\.0\.1:" + linphone.SipPort, Wait);

        await linphone.TerminateAsync(call);
        await bob.WaitForEventAsync("CALL_CLOSED", Wait);
        await linphone.WaitForCallStateAsync("Released", Wait, call);
        await _kamailio.Process.WaitForLineAsync(@"request BYE .* from 127\.0\.0\.1:" + linphone.SipPort, Wait);
        AssertOnlyLoopback(linphone);
    }

    [Fact]
    public async Task Answers_a_call_from_baresip_and_sees_it_hung_up()
    {
        await using var bob = await StartBobAsync("manual");
        await using var linphone = await StartRegisteredLinphoneAsync(autoAnswer: false);

        await bob.CommandAsync("dial", $"sip:dave@127.0.0.1:{_kamailio.UdpPort}");
        var call = await linphone.WaitForCallStateAsync("IncomingReceived", Wait);
        await linphone.AnswerAsync(call);
        await bob.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await linphone.WaitForCallStateAsync("StreamsRunning", Wait, call);

        await bob.CommandAsync("hangup");
        await linphone.WaitForCallStateAsync("Released", Wait, call);
        AssertOnlyLoopback(linphone);
    }

    [Fact]
    public async Task Sends_dtmf_as_sip_info_in_info_mode()
    {
        await using var bob = await StartBobAsync("auto");
        await using var linphone = await StartRegisteredLinphoneAsync(autoAnswer: false, Linphone.DtmfMethod.SipInfo);

        var call = await linphone.CallAsync($"sip:bob@127.0.0.1:{_kamailio.UdpPort}");
        await linphone.WaitForCallStateAsync("StreamsRunning", Wait, call);
        await bob.WaitForEventAsync("CALL_ESTABLISHED", Wait);

        await linphone.SendDtmfAsync('5');
        // In-dialog INFO routed by Kamailio's Record-Route: its request log names the method.
        await _kamailio.Process.WaitForLineAsync(@"request INFO sip:.* from 127\.0\.0\.1:" + linphone.SipPort, Wait);
        Assert.True(linphone.LogContains("Signal=5"), linphone.Tail());
        await linphone.TerminateAsync(call);
        await bob.WaitForEventAsync("CALL_CLOSED", Wait);
    }

    [Fact]
    public async Task Sends_dtmf_as_rtp_telephone_events_by_default()
    {
        await using var bob = await StartBobAsync("auto");
        await using var linphone = await StartRegisteredLinphoneAsync(autoAnswer: false);

        var call = await linphone.CallAsync($"sip:bob@127.0.0.1:{_kamailio.UdpPort}");
        await linphone.WaitForCallStateAsync("StreamsRunning", Wait, call);
        await bob.WaitForEventAsync("CALL_ESTABLISHED", Wait);

        await linphone.SendDtmfAsync('7');
        // baresip decodes the RFC 4733 events from the RTP stream and reports the digit.
        var dtmf = await bob.WaitForEventAsync("CALL_DTMF_START", Wait);
        Assert.Equal("7", dtmf.GetProperty("param").GetString());
        Assert.DoesNotContain(_kamailio.Process.Lines, l => l.Contains("request INFO", StringComparison.Ordinal));
        await linphone.TerminateAsync(call);
        await bob.WaitForEventAsync("CALL_CLOSED", Wait);
    }
}

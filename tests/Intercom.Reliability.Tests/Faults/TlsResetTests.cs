using System.Diagnostics;
using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;
using Intercom.Reliability.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Reliability.Tests.Faults;

/// <summary>
/// The TLS connection to the PBX is reset in the middle of a call. The station registers at Kamailio over TLS through a
/// loopback TCP relay of the test's (TLS end to end through it) and Kamailio sends calls for the station over that
/// registered flow; the resident calls, the station answers, and the relay resets the connection (SO_LINGER 0: a TCP RST
/// to both ends, as a crashed PBX, a rebooted firewall or a NAT that lost its mapping looks).
/// What a UA should do, and what is asserted: a dialog is not a connection (RFC 3261 §12, §18: a response or request
/// that finds its connection gone opens a new one), so the call and its media go on — the resident still opens the door
/// by RFC 4733 code after the reset, and hangs up normally; the flow that carried the registration failed, so the
/// station registers again over a new flow at once (RFC 5626 §4.4.1, §4.5) instead of waiting for the refresh. Nothing
/// crashes, the door relay is not touched by the reset, and the next call comes in over the new flow.
/// </summary>
public sealed class TlsResetTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "Tls-Reset-Secret-2211";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-tlsreset-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Tls_flow_reset_mid_call_the_call_goes_on_registration_returns_over_a_new_flow_and_the_next_call_works()
    {
        await using var kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"), authenticateInvites: false, reachRegisteredFlows: true);
        kamailio.Users["door"] = Password;
        await kamailio.StartAsync();
        await using var relay = new DroppingTcpProxy(kamailio.TlsPort);

        var port = FreePort.Next();
        var tlsPort = FreePort.Next();
        var config = StationConfigs.Direct(port, $"sip:{StationConfigs.ResidentUser}@127.0.0.1");
        config.Sip.Listen.Add(new SipListenerConfig { Transport = "tls", Address = "127.0.0.1", Port = tlsPort });
        config.Sip.Tls = new SipTlsConfig
        {
            // The station's own listener (Kamailio sends in-dialog requests to the Contact) and the PBX's pinned certificate.
            CertificateFile = kamailio.Certificates.CertificateFile,
            PrivateKeyFile = kamailio.Certificates.PrivateKeyFile,
            PinnedFingerprint = kamailio.Certificates.ServerFingerprint,
        };
        config.Accounts.Add(new SipAccountConfig
        {
            Id = "pbx",
            Aor = "sip:door@127.0.0.1",
            Registrar = $"sip:127.0.0.1:{relay.Port};transport=tls",
            Transport = "tls",
            Username = "door",
            Password = Password,
            ExpiresSeconds = 600,
        });
        Assert.Empty(ConfigValidator.Validate(config));
        await using var station = await StationProcess.StartAsync(config, Path.Combine(_dir, "station"));
        await using var resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:{StationConfigs.ResidentUser}@127.0.0.1>;regint=0;answermode=manual;audio_codecs=PCMU");
        await resident.StartAsync();
        await station.WaitForLineAsync(@"Registration: registered \(", Wait);
        Assert.Equal(1, relay.Accepted);

        // The resident calls the station through Kamailio, which reaches it over the registered TLS flow.
        await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{kamailio.UdpPort}");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        // Its 200 came from the flow's relay, not from a connection Kamailio opened to the station's own TLS listener.
        var answer = await kamailio.Process.WaitForLineAsync(@"reply 200 OK for INVITE from 127\.0\.0\.1:\d+", Wait);
        Assert.DoesNotContain($"127.0.0.1:{tlsPort}", answer, StringComparison.Ordinal);

        // The flow is reset mid-call.
        var registered = station.Count("Registration: registered (");
        var doorOpenings = station.Count("door energised");
        var reset = Stopwatch.StartNew();
        relay.DropAll();

        // A new TLS flow, and the registration on it.
        await station.WaitForLineAsync(@"Registration: registered \(", Wait, skip: registered);
        var reRegistered = reset.Elapsed;
        Assert.Equal(2, relay.Accepted);
        Assert.Equal(doorOpenings, station.Count("door energised"));

        // The call went on: its media still carries the resident's code, and it ends normally.
        await resident.CommandAsync("sndcode", StationConfigs.DoorCode);
        await station.WaitForLineAsync("door energised", Wait, skip: doorOpenings);
        await resident.CommandAsync("hangup");
        await resident.WaitForEventAsync("CALL_CLOSED", Wait);

        // baresip reports the call closed when it sends the BYE. Kamailio relays that BYE to the station's Contact (its
        // own TLS listener) and the next INVITE over the registered flow: two connections, handled by different Kamailio
        // workers, so the INVITE can overtake the BYE and meet a station still in the first call (486).
        await station.WaitForLineAsync(@"incoming .* ended", Wait);
        output.WriteLine($"TLS flow reset mid-call: registered again over a new flow {reRegistered.TotalMilliseconds:0} ms later; the call went on and opened the door");

        // The next call arrives over the new flow.
        await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{kamailio.UdpPort}");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await resident.CommandAsync("sndcode", StationConfigs.DoorCode);
        await station.WaitForLineAsync("door energised", Wait, skip: doorOpenings + 1);
        await resident.CommandAsync("hangup");
        await resident.WaitForEventAsync("CALL_CLOSED", Wait);
        Assert.Equal(2, relay.Accepted);

        Assert.False(station.Process.HasExited, "the station died");
    }
}

using System.Net;
using Intercom.Phone;
using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;
using Intercom.Media.Sdp;
using Intercom.Security.Tests.Harness;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Station.Configuration;
using Xunit.Abstractions;

namespace Intercom.Security.Tests.Rtp;

/// <summary>
/// Issue #15, point 4, against the published binary: the resident calls the station from 127.0.0.1 and is auto-answered;
/// before the resident's first RTP packet (the race the issue won), an attacker on 127.0.0.2 sprays the station's whole
/// RTP port range with (a) comfort noise, to have the station latch onto it, and (b) the door code as RFC 4733 events.
/// The door must stay shut, the station's audio must keep going to the resident, and the resident's own code must still
/// open the door afterwards. (c) STUN, which the RTP sockets now tell apart by its first byte (RFC 7983): a stranger's
/// Binding requests get no answer (nothing to reflect) and a forged Binding response moves nothing.
/// </summary>
public sealed class RtpHijackTests(ITestOutputHelper output)
{
    private const string Code = "7391";
    private const string Password = "resident-digest-secret";
    private const int PortMin = 47100;
    private const int PortMax = 47199;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");

    [Theory]
    [InlineData("comfort noise")]
    [InlineData("RFC 4733 events")]
    [InlineData("STUN")]
    public async Task Rtp_sprayed_from_another_address_neither_takes_the_audio_nor_opens_the_door(string attack)
    {
        var sipPort = FreePort.Next();
        await using var station = await AotStation.StartAsync(StationConfig(sipPort));
        using var resident = SipStack.Create(new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "resident", Product = "security-test-resident" } });
        resident.Listen(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0));
        using var media = CallMediaSession.Create(IPAddress.Loopback, new CallMediaOptions
        {
            RtpPortMin = 47300, RtpPortMax = 47399, Formats = [MediaFormat.Pcmu], MediaTimeout = TimeSpan.Zero,
        });
        var digest = new DigestAuthenticator(new DigestCredentials("resident", Password));
        var call = resident.Agent.Dial(SipUri.Parse($"sip:door@127.0.0.1:{sipPort}"), new DialOptions
        {
            From = new SipNameAddress(SipUri.Parse("sip:resident@127.0.0.1"), "Resident"),
            Media = media.OfferAnswer,
            Authorize = (request, challenge, _) => digest.HandleChallenge(request, challenge) == DigestChallengeOutcome.Authorized && digest.Authorize(request) > 0,
        });
        var probe = new CallProbe(call);
        await probe.WaitForAsync("answered", Wait);

        // The attack, before the resident has sent a single RTP packet.
        using var attacker = new RtpAttacker(Attacker, IPAddress.Loopback, PortMin, PortMax);
        for (int i = 0; i < 3; i++)
        {
            attacker.SprayComfortNoise();
        }

        if (attack == "RFC 4733 events")
        {
            await attacker.SprayDigitsAsync(Code);
        }

        if (attack == "STUN")
        {
            attacker.SprayStun();
        }

        // The resident's phone now talks (silence, 20 ms frames) and listens.
        using var talking = new CancellationTokenSource();
        var talk = Talk(media, talking.Token);
        long before = media.Rtp.PacketsReceived;
        var window = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await attacker.SprayDigitsAsync(Code);
        attacker.SprayComfortNoise();
        if (attack == "STUN")
        {
            attacker.SprayStun();
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        long during = media.Rtp.PacketsReceived - before;
        double seconds = window.Elapsed.TotalSeconds;
        output.WriteLine($"{attack}: attacker sent {attacker.Sent} datagrams; the resident received {during} RTP packets from the station in the " +
            $"{seconds:0.0} s of the attack ({50 * seconds:0} sent at 20 ms); {attacker.Available} bytes waiting at the attacker");

        Assert.Equal(0, station.DoorOpenings());
        // One packet per 20 ms: at least half of them must reach the resident.
        Assert.True(during >= 25 * seconds, $"the station's audio stopped reaching the resident ({during} packets in {seconds:0.0} s)\n{station.Tail()}");
        Assert.Equal(0, attacker.Available);

        // The resident's own code still opens the door.
        foreach (char digit in Code)
        {
            Assert.True(media.SendDigit(digit), "telephone-event was agreed");
        }

        await station.WaitForLineAsync(@"Relay: door energised", Wait);
        Assert.Equal(1, station.DoorOpenings());
        Assert.Equal(0, attacker.Available);
        call.Hangup();
        await probe.WaitForAsync("ended", Wait);
        await talking.CancelAsync();
        await talk;
    }

    private static string StationConfig(int sipPort)
    {
        var config = new IntercomConfig { Name = "RTP hijack door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = sipPort }];
        // The resident authenticates (what a station that auto-answers must demand of direct callers).
        config.Sip.IncomingAuth = new SipIncomingAuthConfig { Enabled = true, Username = "resident", Password = Password };
        config.Media.RtpPortMin = PortMin;
        config.Media.RtpPortMax = PortMax;
        config.Media.Codecs = ["pcmu"];
        config.Media.MediaTimeoutSeconds = 0;
        config.Audio.Driver = "null";
        config.Web.Enabled = false;
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = ["sip:resident@127.0.0.1:5999"] }];
        config.Station.Relays.First(r => r.Id == "door").PulseMs = 300;
        config.Station.Codes = [new CodeConfig { Code = Code, Relay = "door" }];
        config.Station.Incoming = new IncomingConfig { Allowlist = ["sip:resident@127.0.0.1"], AutoAnswer = true, AnnouncementBeep = false };
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        var errors = ConfigValidator.Validate(config);
        return errors.Count == 0 ? ConfigLoader.Serialize(config) : throw new InvalidOperationException(string.Join("; ", errors));
    }

    /// <summary>The resident's microphone: a silent 16 kHz frame every 20 ms into the call's stream until cancelled.</summary>
    private static Task Talk(CallMediaSession media, CancellationToken cancel) => Task.Run(async () =>
    {
        var frame = new short[media.Stream.DeviceFrameSamples];
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(cancel))
            {
                media.Stream.SendFrame(frame);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }, CancellationToken.None);
}

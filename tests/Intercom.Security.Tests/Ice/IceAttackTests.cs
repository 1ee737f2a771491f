using System.Net;
using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;
using Intercom.Media.Ice;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Phone;
using Intercom.Security.Tests.Harness;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;
using Intercom.Station.Configuration;
using Intercom.TestSupport;
using Xunit.Abstractions;

namespace Intercom.Security.Tests.Ice;

/// <summary>
/// Issue #19, against the published binary: the resident calls the station from 127.0.0.1 with ICE (RFC 8445; the
/// station's account has a STUN server, so it answers with ICE), ICE selects the host pair and the call runs on it. An
/// attacker on the home network who knows the station's media port and both ufrags, but not the station's ICE password,
/// then tries to take the call over from another address (127.0.0.2) and from another port of the resident's own address
/// (127.0.0.1): (a) connectivity checks that nominate itself with no MESSAGE-INTEGRITY, a wrong one, one keyed with the
/// resident's password, or a wrong USERNAME must get no success response, form no pair (the station sends it no check)
/// and move neither the selected pair nor the media; (b) RFC 4733 events of the door code from an address that is not
/// the selected pair must not open the door; (c) with DTLS-SRTP, fatal DTLS alerts sprayed at every media port while the
/// call is set up must neither end nor spoil its handshake. After each attack the resident's own code still opens the
/// door, once.
/// </summary>
public sealed class IceAttackTests(ITestOutputHelper output)
{
    private const string DoorCode = "7391";
    private const string GateCode = "2468";
    private const string Password = "resident-ice-digest-secret";
    private const int PortMin = 47500;
    private const int PortMax = PortMin + 99;
    private const int Repeats = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly IPAddress OtherHost = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Forged_checks_from_other_addresses_get_no_success_form_no_pair_and_move_neither_pair_nor_media()
    {
        await using var call = await IceCall.StartAsync(output);
        using var stranger = new IceAttacker(OtherHost);
        using var neighbour = new IceAttacker(IPAddress.Loopback);
        string wanted = $"{call.StationUfrag}:{call.ResidentUfrag}";
        string[] forged = ["no USERNAME, no MESSAGE-INTEGRITY", "the right USERNAME, no MESSAGE-INTEGRITY", "the right USERNAME, a guessed key",
            "the right USERNAME, keyed with the resident's password", "another USERNAME", "the USERNAME reversed"];
        foreach (var attacker in new[] { stranger, neighbour })
        {
            for (int i = 0; i < Repeats; i++)
            {
                attacker.SendCheck(call.Station, null, null);
                attacker.SendCheck(call.Station, wanted, null);
                attacker.SendCheck(call.Station, wanted, "guessedguessedguessed0");
                attacker.SendCheck(call.Station, wanted, call.ResidentPassword);
                attacker.SendCheck(call.Station, $"attacker:{call.ResidentUfrag}", "guessedguessedguessed0");
                attacker.SendCheck(call.Station, $"{call.ResidentUfrag}:{call.StationUfrag}", "guessedguessedguessed0");
            }
        }

        // The station refuses each check with an error of its own (RFC 8489 §9.1.3: 400 or 401, no integrity), which also
        // tells the test it has read them all.
        int sent = forged.Length * Repeats;
        await Eventually.UntilAsync(() => stranger.ErrorCodes.Count == sent && neighbour.ErrorCodes.Count == sent,
            $"{sent} refusals to each attacker", Wait, () => $"stranger {stranger.ErrorCodes.Count}, neighbour {neighbour.ErrorCodes.Count}\n{call.StationTail()}");

        // The call's media goes on to the resident, and a second of it passes before anything is counted.
        await call.ResidentHearsAsync(packets: 50);
        foreach (var (name, attacker) in new[] { ("127.0.0.2", stranger), ("127.0.0.1, another port", neighbour) })
        {
            output.WriteLine($"{name}: sent {attacker.Sent} checks, got {attacker.Received} datagrams back: " +
                string.Join(", ", attacker.ErrorCodes.GroupBy(c => c).Select(g => $"{g.Count()} x {g.Key}")));
            Assert.All(attacker.ErrorCodes, code => Assert.Contains(code, new[] { 400, 401 }));
            Assert.Equal(0, attacker.SuccessResponses);
            Assert.Equal(0, attacker.BindingRequests);
            Assert.Equal(0, attacker.MediaPackets);
            Assert.Equal(attacker.ErrorCodes.Count, attacker.Received);
        }

        // The pair is the one selected at the start, and the resident's code still opens the door, once.
        Assert.Equal(1, call.StationLog.Count(@"ICE selected pair"));
        await call.KeyAsync(DoorCode, "door");
        Assert.Equal(1, call.StationLog.DoorOpenings());
        Assert.Equal(0, stranger.MediaPackets + neighbour.MediaPackets);
    }

    [Fact]
    public async Task The_door_code_as_rfc4733_events_from_an_address_that_is_not_the_selected_pair_does_not_open_the_door()
    {
        await using var call = await IceCall.StartAsync(output);
        using var stranger = new IceAttacker(OtherHost);
        using var neighbour = new IceAttacker(IPAddress.Loopback);

        // Well-formed events with the payload type the call negotiated, to the port media runs on.
        await stranger.SendDigitsAsync(call.Station, DoorCode, call.EventPayloadType);
        await neighbour.SendDigitsAsync(call.Station, DoorCode, call.EventPayloadType);

        // The resident's own gate code goes after them on the same socket: once it has opened the gate, the station has
        // read every packet of the attack.
        await call.KeyAsync(GateCode, "gate");
        output.WriteLine($"attack: {stranger.Sent} + {neighbour.Sent} event packets; door openings {call.StationLog.DoorOpenings()}");
        Assert.Equal(0, call.StationLog.DoorOpenings());
        Assert.Equal(0, stranger.MediaPackets + neighbour.MediaPackets);

        await call.KeyAsync(DoorCode, "door");
        Assert.Equal(1, call.StationLog.DoorOpenings());
    }

    [Fact]
    public async Task Dtls_alerts_from_other_addresses_during_the_handshake_neither_end_nor_spoil_it()
    {
        using var stranger = new IceAttacker(OtherHost);
        using var neighbour = new IceAttacker(IPAddress.Loopback);
        using var spraying = new CancellationTokenSource();
        var sprayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task spray = Task.Run(async () =>
        {
            // Every port of the station's media range, again and again, from before the call until its media flows: the
            // station's DTLS endpoint exists from the answer on, and the handshake runs somewhere in that time.
            while (!spraying.IsCancellationRequested)
            {
                for (int port = PortMin; port <= PortMax; port++)
                {
                    stranger.SendDtlsAlert(new IPEndPoint(IPAddress.Loopback, port));
                    neighbour.SendDtlsAlert(new IPEndPoint(IPAddress.Loopback, port));
                }

                sprayed.TrySetResult();
                await Task.Delay(5, CancellationToken.None);
            }
        }, CancellationToken.None);
        await sprayed.Task.WaitAsync(Wait);
        int before = stranger.Sent + neighbour.Sent;

        // The call is set up under the spray: answered, ICE selected, DTLS keyed (the resident hears SRTP only then).
        await using var call = await IceCall.StartAsync(output, dtlsSrtp: true);
        await call.ResidentHearsAsync(packets: 25);
        await spraying.CancelAsync();
        await spray;
        output.WriteLine($"alerts sprayed: {before} before the call, {stranger.Sent + neighbour.Sent - before} while it was set up and talking");
        Assert.True(stranger.Sent + neighbour.Sent > before, "the spray ran while the call was set up");

        // The handshake finished with the resident and nothing was sent to the attackers; the call goes on, and the
        // resident's code opens the door, once.
        Assert.Equal(0, stranger.Received + neighbour.Received);
        await call.ResidentHearsAsync(packets: 25);
        await call.KeyAsync(DoorCode, "door");
        Assert.Equal(1, call.StationLog.DoorOpenings());
    }

    private static string StationConfig(int sipPort, string stun, bool dtlsSrtp)
    {
        // The account's STUN server makes the station's calls answer with ICE.
        var config = LoopbackDoor.Config("ICE attack door", sipPort, Password, new SipAccountNatConfig { Stun = [stun], Ice = true }, PortMin);
        config.Accounts[0].Srtp = dtlsSrtp ? "dtls-srtp" : "off";
        config.Station.Relays.First(r => r.Id == "door").PulseMs = 300;
        config.Station.Codes = [new CodeConfig { Code = DoorCode, Relay = "door" }, new CodeConfig { Code = GateCode, Relay = "gate" }];
        return LoopbackDoor.Serialize(config);
    }

    /// <summary>
    /// The station, and the resident's call to it under ICE: the resident is the controlling agent with its host
    /// candidate, nominates the host pair, and talks (silent 20 ms frames) until the call is disposed.
    /// </summary>
    private sealed class IceCall : IAsyncDisposable
    {
        private readonly IceStunReflector _stun;
        private readonly SipStack _resident;
        private readonly CallMediaSession _media;
        private readonly SipCall _call;
        private readonly CallProbe _probe;
        private readonly CancellationTokenSource _talking = new();
        private Task _talk = Task.CompletedTask;

        private IceCall(AotStation station, IceStunReflector stun, SipStack resident, CallMediaSession media, SipCall call, CallProbe probe)
        {
            StationLog = station;
            _stun = stun;
            _resident = resident;
            _media = media;
            _call = call;
            _probe = probe;
        }

        public AotStation StationLog { get; }

        /// <summary>The station's media endpoint: the selected pair's remote side as the resident sees it.</summary>
        public IPEndPoint Station { get; private set; } = null!;

        public string StationUfrag { get; private set; } = "";

        public string ResidentUfrag => _media.Ice!.Credentials.Ufrag;

        public string ResidentPassword => _media.Ice!.Credentials.Password;

        public byte EventPayloadType { get; private set; }

        /// <param name="dtlsSrtp">Both sides key SRTP by a DTLS handshake on the media path (RFC 5764) instead of none.</param>
        public static async Task<IceCall> StartAsync(ITestOutputHelper output, bool dtlsSrtp = false)
        {
            var stun = new IceStunReflector();
            var sipPort = FreePort.Next();
            var station = await AotStation.StartAsync(StationConfig(sipPort, stun.Uri, dtlsSrtp));
            var resident = SipStack.Create(new SipStackOptions { Agent = new SipUserAgentOptions { ContactUser = "resident", Product = "security-test-resident" } });
            resident.Listen(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0));
            var media = CallMediaSession.Create(IPAddress.Loopback, new CallMediaOptions
            {
                RtpPortMin = 47700, RtpPortMax = 47799, Formats = [MediaFormat.Pcmu], MediaTimeout = TimeSpan.Zero,
                Srtp = dtlsSrtp ? SrtpPolicy.DtlsSrtp : SrtpPolicy.Disabled,
            });
            await media.PrepareIceAsync([], TimeSpan.FromSeconds(1), TimeProvider.System, IceRole.Controlling);
            var call = LoopbackDoor.Dial(resident, sipPort, Password, media.OfferAnswer);
            var ice = new IceCall(station, stun, resident, media, call, new CallProbe(call));
            try
            {
                await ice._probe.WaitForAsync("answered", Wait);
                await Eventually.UntilAsync(() => media.SelectedPair is not null && station.Count("ICE selected pair") == 1, "ICE selected a pair on both sides",
                    Wait, () => station.Tail());
                NegotiatedMedia agreed = media.OfferAnswer.Negotiator.Media!;
                ice.Station = media.SelectedPair!.RemoteEndPoint;
                ice.StationUfrag = agreed.RemoteIce!.Credentials.Ufrag;
                ice.EventPayloadType = (byte)(agreed.SendTelephoneEventPayloadType ?? throw new InvalidOperationException("telephone-event was not agreed"));
                output.WriteLine($"station: {station.Process.Lines.Last(l => l.Contains("ICE selected pair", StringComparison.Ordinal))}");
                ice._talk = Talk(media, ice._talking.Token);
                await ice.ResidentHearsAsync(packets: 10);
                return ice;
            }
            catch
            {
                await ice.DisposeAsync();
                throw;
            }
        }

        public string StationTail() => StationLog.Tail();

        /// <summary>Waits until <paramref name="packets"/> more of the station's RTP packets reach the resident.</summary>
        public async Task ResidentHearsAsync(int packets)
        {
            long before = _media.Rtp.PacketsReceived;
            await Eventually.UntilAsync(() => _media.Rtp.PacketsReceived >= before + packets, $"{packets} of the station's RTP packets at the resident",
                Wait, StationTail);
        }

        /// <summary>The resident keys <paramref name="code"/> (RFC 4733 on the selected pair) and waits for its relay to open.</summary>
        public async Task KeyAsync(string code, string relay)
        {
            int before = StationLog.DoorOpenings(relay);
            foreach (char digit in code)
            {
                Assert.True(_media.SendDigit(digit), "telephone-event was agreed");
            }

            await StationLog.WaitForLineAsync($@"Relay: {relay} energised", Wait, skip: before);
        }

        public async ValueTask DisposeAsync()
        {
            _call.Hangup();
            try
            {
                await _probe.WaitForAsync("ended", Wait);
            }
            catch (TimeoutException)
            {
                // The station is stopped next anyway.
            }

            await _talking.CancelAsync();
            await _talk;
            _talking.Dispose();
            _media.Dispose();
            _resident.Dispose();
            await StationLog.DisposeAsync();
            _stun.Dispose();
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
}

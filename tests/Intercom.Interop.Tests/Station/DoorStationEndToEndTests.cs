using System.Collections.Concurrent;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Interop.Tests.Peers;
using Intercom.Station.Configuration;
using Intercom.Station.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Interop.Tests.Station;

/// <summary>
/// The station's whole job against real peers: the station registers at Kamailio (digest auth, INVITEs challenged with
/// 407 too), a simulated button press calls baresip through Kamailio, baresip answers
/// and keys 1234 as RFC 4733, the door relay pulses for its configured time; wrong codes lock the code lock out; a caller
/// not on the allowlist is refused with 403.
/// </summary>
public sealed class DoorStationEndToEndTests : IAsyncLifetime
{
    private const int PulseMs = 1000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-e2e-").FullName;
    private readonly ConcurrentQueue<StationEvent> _events = new();
    private KamailioWithResident _peers = null!;
    private StationApp _app = null!;

    public async Task InitializeAsync()
    {
        _peers = await KamailioWithResident.StartAsync(_dir, new Dictionary<string, string> { ["door"] = "door-secret", ["stranger"] = "stranger-secret" }, Wait);

        var domain = _peers.Domain;
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts.Add(new SipAccountConfig
        {
            Id = "pbx", Aor = $"sip:door@{domain}", OutboundProxy = $"sip:{domain}", Password = "door-secret", ExpiresSeconds = 300,
        });
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [$"sip:resident@{domain}"] }];
        config.Station.Relays.First(r => r.Id == "door").PulseMs = PulseMs;
        config.Station.Codes = [new CodeConfig { Code = "1234", Relay = "door" }];
        config.Station.CodeLock = new CodeLockConfig { MaxFailures = 3, LockoutSeconds = 300 };
        config.Station.Incoming = new IncomingConfig { Allowlist = [$"sip:resident@{domain}"], AutoAnswer = true };
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        Assert.Empty(ConfigValidator.Validate(config));
        _app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        _app.Station.Events.Appended += (_, e) => _events.Enqueue(e);
        await WaitUntil(() => _app.Registrations[0].Status.State == Intercom.Sip.UserAgent.Registration.RegistrationState.Registered, "registration at Kamailio");
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _peers.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task WaitUntil(Func<bool> condition, string what) => Eventually.UntilAsync(condition, what, Wait,
        () => "station events:\n" + string.Join("\n", _events.Select(e => $"{e.Kind}: {e.Message}")));

    [Fact]
    public async Task Button_calls_the_resident_whose_code_pulses_the_door_relay_for_its_time()
    {
        _app.SimulatedBoard!.PressButton("button1");
        await _peers.Resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await _peers.Resident.CommandAsync("sndcode", "1234");

        var board = _app.SimulatedBoard;
        // The release at start is recorded too: the pulse is the first energise and the release after it.
        List<Intercom.Hardware.RelayTransition> Door() => board.RelayTransitions.Where(t => t.RelayId == "door").SkipWhile(t => !t.Energised).ToList();
        await WaitUntil(() => Door().Count >= 2, "door relay pulse");
        var door = Door();
        Assert.True(door[0].Energised);
        Assert.False(door[1].Energised);
        // Measured on the wall clock through the whole stack: never shorter than the configured pulse (a door that opens
        // too briefly is a failure), and released well before twice it. The timer's exact duration is PulsedRelayTests'
        // (fake clock); here a loaded 2-core CI machine fires it late (seen: 1,088 ms for 1,000 under stress-ng), which
        // says nothing about the station.
        var pulse = (door[1].At - door[0].At).TotalMilliseconds;
        Assert.InRange(pulse, PulseMs - 20, 2 * PulseMs);
        Assert.Contains(_events, e => e.Kind == StationEventKind.CodeAccepted);
        Assert.DoesNotContain(_events, e => e.Message.Contains("1234", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Three_wrong_codes_lock_the_code_lock_and_the_right_code_no_longer_opens()
    {
        _app.SimulatedBoard!.PressButton("button1");
        await _peers.Resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        foreach (var wrong in new[] { "0000", "1111", "9999" })
        {
            await _peers.Resident.CommandAsync("sndcode", wrong);
        }

        await WaitUntil(() => _events.Any(e => e.Kind == StationEventKind.Lockout), "lockout");
        Assert.Equal(3, _events.Count(e => e.Kind == StationEventKind.CodeRejected));
        await _peers.Resident.CommandAsync("sndcode", "1234");
        await _peers.Resident.CommandAsync("hangup");
        await WaitUntil(() => _events.Any(e => e.Kind == StationEventKind.Call && e.Message.Contains("ended", StringComparison.OrdinalIgnoreCase)), "call end");
        Assert.DoesNotContain(_app.SimulatedBoard.RelayTransitions, t => t.RelayId == "door" && t.Energised);
    }

    [Fact]
    public async Task A_caller_not_on_the_allowlist_is_refused_with_403()
    {
        await using var stranger = Baresip.Create(Path.Combine(_dir, "stranger"),
            $"<sip:stranger@127.0.0.1:{_peers.Kamailio.UdpPort}>;auth_pass=stranger-secret;answermode=manual;regint=600;audio_codecs=PCMU");
        await stranger.StartAsync();
        await stranger.WaitForRegistrationAsync(Wait);
        // Through Kamailio's location service: the station is reachable by its registered address-of-record.
        await stranger.CommandAsync("dial", $"sip:door@127.0.0.1:{_peers.Kamailio.UdpPort}");
        var closed = await stranger.WaitForEventAsync("CALL_CLOSED", Wait);
        Assert.Contains("403", closed.GetProperty("param").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_app.SimulatedBoard!.RelayTransitions, t => t.Energised);
    }
}

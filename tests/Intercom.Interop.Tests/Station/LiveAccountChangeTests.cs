using System.Collections.Concurrent;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Interop.Tests.Peers;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station.Configuration;
using Intercom.Station.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Station;

/// <summary>
/// The station's account changed while it runs, through the path PUT /api/config takes (StationApp.ReconfigureCallsAsync),
/// against a real Kamailio and baresip: Kamailio's location service routes the new user to the station and no longer the
/// old one; a call that is up while the account changes stays up (its DTMF code still opens the door, its BYE still
/// arrives), and the next call is placed as the new user.
/// </summary>
public sealed class LiveAccountChangeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int PulseMs = 300;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-live-account-").FullName;
    private readonly ConcurrentQueue<StationEvent> _events = new();
    private KamailioWithResident _peers = null!;
    private StationApp _app = null!;

    private string Domain => _peers.Domain;

    public async Task InitializeAsync()
    {
        _peers = await KamailioWithResident.StartAsync(_dir, new Dictionary<string, string> { ["door"] = "door-secret", ["gate"] = "gate-secret" }, Wait);

        var config = Config("door");
        Assert.Empty(ConfigValidator.Validate(config));
        _app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        _app.Station.Events.Appended += (_, e) => _events.Enqueue(e);
        await WaitUntil(() => Registered("door"), "registered as door");
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _peers.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Kamailio_routes_the_new_user_to_the_station_and_no_longer_the_old_one()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(["accounts"], await _app.ReconfigureCallsAsync(Config("gate")));
        var applied = clock.Elapsed;
        await WaitUntil(() => Registered("gate"), "registered as gate");
        output.WriteLine($"account change applied in {applied.TotalMilliseconds:0.0} ms; registered at Kamailio as the new user {clock.Elapsed.TotalMilliseconds:0} ms after the change");

        // Kamailio's location for the old user is gone (the station sent Expires: 0): a call to it is refused with 404.
        await _peers.Resident.CommandAsync("dial", $"sip:door@{Domain}");
        var refused = await _peers.Resident.WaitForEventAsync("CALL_CLOSED", Wait);
        Assert.Contains("404", refused.GetProperty("param").GetString(), StringComparison.Ordinal);

        // The new user reaches the station, which auto-answers the allowlisted resident.
        await _peers.Resident.CommandAsync("dial", $"sip:gate@{Domain}");
        var established = await EstablishedAsync("call to the new user");
        Assert.Contains("gate", established.GetProperty("peeruri").GetString(), StringComparison.Ordinal);
        await WaitUntil(() => _app.Calls.ActiveLegs == 1, "the station has the call");
        await _peers.Resident.CommandAsync("hangup");
        await WaitUntil(() => _app.Calls.ActiveLegs == 0 && _app.Station.GetStatus().CallState == Intercom.Station.StationCallState.Idle, "the call ended at the station");
    }

    [Fact]
    public async Task A_call_up_while_the_account_changes_stays_up_and_the_next_call_uses_the_new_account()
    {
        _app.SimulatedBoard!.PressButton("button1");
        var first = await EstablishedAsync("first call");
        Assert.Contains("door", first.GetProperty("peeruri").GetString(), StringComparison.Ordinal);

        Assert.Equal(["accounts"], await _app.ReconfigureCallsAsync(Config("gate")));
        await WaitUntil(() => Registered("gate"), "registered as gate");

        // The call kept its media and dialog: the resident's code (RFC 4733 over the call's RTP) still opens the door.
        Assert.Equal(1, _app.Calls.ActiveLegs);
        await _peers.Resident.CommandAsync("sndcode", "1234");
        await WaitUntil(() => _events.Any(e => e.Kind == StationEventKind.CodeAccepted), "code accepted after the change");
        await WaitUntil(() => DoorPulses() >= 1, "door relay pulse");
        Assert.DoesNotContain(_events, e => e.Kind == StationEventKind.Call && e.Message.Contains("ended", StringComparison.OrdinalIgnoreCase));

        // Its BYE still finds the dialog through Kamailio's record-route; then the next call is placed as the new user.
        await _peers.Resident.CommandAsync("hangup");
        await _peers.Resident.WaitForEventAsync("CALL_CLOSED", Wait);
        await WaitUntil(() => _app.Calls.ActiveLegs == 0 && _app.Station.GetStatus().CallState == Intercom.Station.StationCallState.Idle, "first call ended at the station");
        // The second call is the next one established with another Call-ID than the first's. A CPU-hog run once read an
        // "established" event with the old From here; whether that was the first call reported again or a new call placed
        // as the old user, matching by Call-ID tells them apart: the first is skipped, the second still fails the test.
        string firstCallId = first.GetProperty("id").GetString()!;
        _app.SimulatedBoard.PressButton("button1");
        var second = await EstablishedAsync("second call", e => e.GetProperty("id").GetString() != firstCallId);
        Assert.True(second.GetProperty("peeruri").GetString()!.Contains("gate", StringComparison.Ordinal),
            $"the second call came from the old user:\nfirst  {first}\nsecond {second}\nstation events:\n{string.Join("\n", _events.Select(e => $"{e.Kind}: {e.Message}"))}");
        await _peers.Resident.CommandAsync("hangup");
    }

    private IntercomConfig Config(string user)
    {
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts.Add(new SipAccountConfig
        {
            Id = "pbx", Aor = $"sip:{user}@{Domain}", OutboundProxy = $"sip:{Domain}", Password = $"{user}-secret", ExpiresSeconds = 300,
        });
        config.Audio.Driver = "null";
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [$"sip:resident@{Domain}"] }];
        config.Station.Relays.First(r => r.Id == "door").PulseMs = PulseMs;
        config.Station.Codes = [new CodeConfig { Code = "1234", Relay = "door" }];
        config.Station.Incoming = new IncomingConfig { Allowlist = [$"sip:resident@{Domain}"], AutoAnswer = true };
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        return config;
    }

    private bool Registered(string user) => _app.Accounts.Current is [var registration]
        && registration.Client.Options.AddressOfRecord.User == user && registration.Client.Status.State == RegistrationState.Registered;

    private int DoorPulses() => _app.SimulatedBoard!.RelayTransitions.Count(t => t.RelayId == "door" && t.Energised);

    private async Task<System.Text.Json.JsonElement> EstablishedAsync(string what, Func<System.Text.Json.JsonElement, bool>? match = null)
    {
        try
        {
            return await _peers.Resident.WaitForEventAsync("CALL_ESTABLISHED", match ?? (_ => true), Wait);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{what}: {e.Message}\nKamailio:\n{_peers.Kamailio.Process.Tail(40)}\nstation events:\n{string.Join("\n", _events.Select(x => $"{x.Kind}: {x.Message}"))}", e);
        }
    }

    private Task WaitUntil(Func<bool> condition, string what) => Eventually.UntilAsync(condition, what, Wait,
        () => "station events:\n" + string.Join("\n", _events.Select(e => $"{e.Kind}: {e.Message}")));
}

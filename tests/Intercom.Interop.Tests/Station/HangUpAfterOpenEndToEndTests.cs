using System.Collections.Concurrent;
using System.Diagnostics;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Interop.Tests.Peers;
using Intercom.Station.Configuration;
using Intercom.Station.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Interop.Tests.Station;

/// <summary>
/// station.hangUpAfterOpenSeconds against real peers: the station registers at Kamailio, a button press calls baresip
/// through it, baresip answers and keys the door code (RFC 4733); the door opens, and the station ends the call itself
/// the configured seconds later: baresip, which never hangs up, sees the station's BYE (its call closes with the peer's
/// reset, not its own hang-up).
/// </summary>
public sealed class HangUpAfterOpenEndToEndTests : IAsyncLifetime
{
    private const int HangUpAfterSeconds = 2;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-hangup-").FullName;
    private readonly ConcurrentQueue<StationEvent> _events = new();
    private KamailioWithResident _peers = null!;
    private StationApp _app = null!;

    public async Task InitializeAsync()
    {
        _peers = await KamailioWithResident.StartAsync(_dir, new Dictionary<string, string> { ["door"] = "door-secret" }, Wait);
        var domain = _peers.Domain;
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts.Add(new SipAccountConfig
        {
            Id = "pbx", Aor = $"sip:door@{domain}", OutboundProxy = $"sip:{domain}", Password = "door-secret", ExpiresSeconds = 300,
        });
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [$"sip:resident@{domain}"], MaxCallSeconds = 120 }];
        config.Station.Codes = [new CodeConfig { Id = "resident", Code = "1234", Relay = "door" }];
        config.Station.HangUpAfterOpenSeconds = HangUpAfterSeconds;
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        Assert.Empty(ConfigValidator.Validate(config));
        _app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        _app.Station.Events.Appended += (_, e) => _events.Enqueue(e);
        await Eventually.UntilAsync(() => _app.Registrations[0].Status.State == Intercom.Sip.UserAgent.Registration.RegistrationState.Registered,
            "registration at Kamailio", Wait, Events);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _peers.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Events() => "station events:\n" + string.Join("\n", _events.Select(e => $"{e.Kind}: {e.Message}"));

    [Fact]
    public async Task The_station_ends_the_call_with_a_BYE_the_configured_seconds_after_the_code_opened_the_door()
    {
        _app.SimulatedBoard!.PressButton("button1");
        await _peers.Resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await _peers.Resident.CommandAsync("sndcode", "1234");
        await Eventually.UntilAsync(() => _app.SimulatedBoard.RelayTransitions.Any(t => t.RelayId == "door" && t.Energised), "the door opens", Wait, Events);
        var opened = Stopwatch.StartNew();

        // The resident never hangs up: the call closes because the station sent BYE (baresip: "Connection reset by peer").
        var closed = await _peers.Resident.WaitForEventAsync("CALL_CLOSED", Wait);
        var after = opened.Elapsed;

        var reason = closed.GetProperty("param").GetString() ?? "";
        Assert.Contains("reset by peer", reason, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(after, TimeSpan.FromSeconds(HangUpAfterSeconds - 0.5), TimeSpan.FromSeconds(HangUpAfterSeconds + 3));
        Assert.Contains(_events, e => e.Message.Contains("the call ends in 2 s", StringComparison.Ordinal));
        Assert.Contains(_events, e => e.Message == "ring group residents: hung up by hang-up after the door opened");
        Assert.DoesNotContain(_events, e => e.Message.Contains("1234", StringComparison.Ordinal));
    }
}

using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Tests.Hosting;

/// <summary>
/// A held relay on the running app's exit paths (the ones the station already guaranteed for pulses): a configuration
/// applied through the one pipeline (page, API, SIGHUP) that removes the relay or its Hold mode releases it at once, even
/// though the relay's wiring itself waits for a restart; the app's dispose and the process-exit handler's ReleaseAll
/// leave it released, and nothing holds it again afterwards.
/// </summary>
public sealed class RelayHoldExitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-hold-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IntercomConfig Config(Action<StationConfig>? change = null)
    {
        var config = new IntercomConfig { Name = "Shop door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Media.Codecs = ["pcmu"];
        config.Audio.Driver = "null";
        config.Station.EventLog.PersistPath = null;
        config.Station.Relays[2].Mode = RelayMode.Hold; // light
        config.Station.Schedules = [new ScheduleConfig { Id = "always", Days = "daily", From = "00:00", To = "00:00", HoldRelays = ["light"] }];
        change?.Invoke(config.Station);
        Assert.Empty(ConfigValidator.Validate(config));
        return config;
    }

    private (StationApp App, Intercom.Configuration.Applying.ConfigPipeline Pipeline) Start()
    {
        var config = Config();
        var store = new ConfigStore(Path.Combine(_dir, "intercom.json"));
        Assert.True(store.TrySave(config, out var errors), string.Join("\n", errors));
        var app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        return (app, LiveConfiguration.For(app, store));
    }

    private static Task HeldAsync(StationApp app, bool held) => Eventually.UntilAsync(
        () => app.Board.IsRelayEnergised("light") == held && app.Board.IsRelayHeld("light") == held, held ? "the light held" : "the light released");

    [Fact]
    public async Task A_configuration_that_removes_the_held_relay_releases_it_at_once()
    {
        var (app, pipeline) = Start();
        using var _ = app;
        await HeldAsync(app, held: true);

        var result = await pipeline.ApplyAsync(Config(s =>
        {
            s.Relays.RemoveAt(2);
            s.Schedules = [];
        }));

        Assert.True(result.Accepted, string.Join("\n", result.Errors));
        Assert.Contains("station.relays", result.RestartRequired);
        await HeldAsync(app, held: false);
        await Eventually.UntilAsync(() => app.Station.Events.Snapshot().Any(e => e.Message == "light hold ended by configuration (the relay may no longer be held)"),
            "the event");
    }

    [Fact]
    public async Task A_configuration_that_turns_hold_off_releases_it_and_a_schedule_cannot_hold_it_again()
    {
        var (app, pipeline) = Start();
        using var _ = app;
        await HeldAsync(app, held: true);

        var result = await pipeline.ApplyAsync(Config(s =>
        {
            s.Relays[2].Mode = RelayMode.Pulse;
            s.Schedules = [];
        }));

        Assert.True(result.Accepted, string.Join("\n", result.Errors));
        await HeldAsync(app, held: false);
        Assert.False(app.Station.CanHoldRelay("light"));
    }

    [Fact]
    public async Task Stopping_the_app_and_the_exit_handlers_release_leave_the_hold_ended()
    {
        var (app, _) = Start();
        await HeldAsync(app, held: true);

        // What the ProcessExit and crash handlers do while the station still runs: the hold ends and stays ended.
        app.Board.ReleaseAll();
        await HeldAsync(app, held: false);
        await Task.Delay(200);
        Assert.False(app.Board.IsRelayEnergised("light"));

        app.Station.HoldRelay("light", "test");
        await HeldAsync(app, held: true);
        app.Dispose();
        Assert.False(app.Board.IsRelayEnergised("light"));
        Assert.False(app.Board.IsRelayHeld("light"));
    }
}

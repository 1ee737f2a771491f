using Intercom.Hardware;
using Intercom.Station;
using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Intercom.Station.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.TestSupport;

/// <summary>A door station on a simulated board, a fake call API and a fake clock (Monday 2026-01-05 12:00 UTC).</summary>
public sealed class StationFixture : IDisposable
{
    public StationFixture(StationConfig config, StationEventFormatter? formatter = null)
    {
        var errors = StationConfigValidator.Validate(config);
        if (errors.Count != 0)
        {
            throw new ArgumentException("the station configuration is invalid:\n" + string.Join("\n", errors), nameof(config));
        }
        Config = config;
        Board = new SimulatedBoard(BoardLayoutBuilder.Build(config), Time);
        Station = new DoorStation(config, Board, Calls, Time, formatter: formatter);
        Station.EventBus.Raised += (_, e) => Published.Add(e);
        Station.Start();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));

    public FakeCallControl Calls { get; } = new();

    public StationConfig Config { get; }

    public SimulatedBoard Board { get; }

    public DoorStation Station { get; }

    public IReadOnlyList<StationEvent> Log => Station.Events.Snapshot();

    /// <summary>Every typed event the station published since it was built, in order (start included).</summary>
    public List<DoorStationEvent> Published { get; } = [];

    /// <summary>A valid configuration: relays door/gate/light, button1 → "residents" (alice, bob in parallel).</summary>
    public static StationConfig ValidConfig()
    {
        var config = new StationConfig();
        config.RingGroups[0].Targets = ["sip:alice@pbx.example", "sip:bob@pbx.example"];
        config.Codes = [new() { Id = "resident", Code = "1234", Relay = "door" }, new() { Code = "*12#", Relay = "gate" }, new() { Code = "9999", Relay = "gate" }];
        config.EventLog.PersistPath = null;
        return config;
    }

    public static StationFixture Create(Action<StationConfig>? change = null, StationEventFormatter? formatter = null)
    {
        var config = ValidConfig();
        change?.Invoke(config);
        return new StationFixture(config, formatter);
    }

    public void Advance(TimeSpan by) => Time.Advance(by);

    public void Seconds(double seconds) => Time.Advance(TimeSpan.FromSeconds(seconds));

    public int Energised(string relay) => Board.RelayTransitions.Count(t => t.RelayId == relay && t.Energised);

    public void Dispose()
    {
        Station.Dispose();
        Board.Dispose();
    }
}

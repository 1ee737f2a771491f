using Intercom.Hardware;
using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Intercom.Station.Routing;

namespace Intercom.Station;

/// <summary>
/// Relays held open on purpose (relays[].mode Hold): by a command (the page, the API, MQTT, Home Assistant's unlock),
/// for a set time or until released, and by schedules (schedules[].holdRelays) while their window is active.
/// <para>
/// A relay is held while a command holds it or a holding schedule is active that was not released by hand in its
/// current window; a release command ends the command's hold and sets aside the schedules active now until their window
/// ends (the next window holds again). Whatever held it, the board is told to hold for exactly as long as this says
/// (a timed hold ends on the relay's own timer too), and every change is an event (<see cref="RelayHeld"/>,
/// <see cref="RelayReleased"/>).
/// </para>
/// <para>
/// A relay may be held only when its mode was Hold at start (the board was wired then) and still is in the configuration
/// in force: a configuration that turns Hold off or removes the relay ends its hold at once. A release the station did
/// not ask for (the board's ReleaseAll on an exit path) ends the hold for good rather than being undone. Loop thread only,
/// but for <see cref="CanHold"/> and <see cref="Snapshot"/>.
/// </para>
/// </summary>
internal sealed class RelayHolds : IDisposable
{
    /// <summary>The longest timed hold.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    private readonly IBoard _board;
    private readonly TimeProvider _time;
    private readonly StationEventBus _events;
    private readonly StationTimer _timer;
    private readonly HashSet<string> _holdableAtStart;
    private readonly Dictionary<string, RelayState> _relays = new(StringComparer.Ordinal);
    private List<HoldingSchedule> _schedules = [];
    private HashSet<string> _holdable = new(StringComparer.Ordinal);
    private RelayHold[] _snapshot = [];

    public RelayHolds(StationConfig config, IBoard board, StationLoop loop, TimeProvider time, StationEventBus events)
    {
        _board = board;
        _time = time;
        _events = events;
        _timer = new StationTimer(loop, time, () => Evaluate(null));
        _holdableAtStart = HoldableIn(config, board);
        Apply(config);
    }

    /// <summary>Holds what the schedules active now hold (at the station's start).</summary>
    public void Start() => Evaluate(null);

    /// <summary>Every relay held now; any thread.</summary>
    public IReadOnlyList<RelayHold> Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>True when the relay may be held (mode Hold at start and now); any thread.</summary>
    public bool CanHold(string relayId) => Volatile.Read(ref _holdable).Contains(relayId);

    /// <summary>Ids of the relays that may be held, in no order; any thread.</summary>
    public IReadOnlyCollection<string> Holdable => Volatile.Read(ref _holdable);

    /// <summary>Holds a relay for <paramref name="duration"/> from now, or until released (null).</summary>
    public void Hold(string relayId, string by, TimeSpan? duration)
    {
        if (!_relays.TryGetValue(relayId, out var state))
        {
            _events.Publish(new RelayHoldRefused(relayId, by, _board.RelayIds.Contains(relayId)
                ? "it only pulses: its mode is not Hold"
                : "no such relay"));
            return;
        }

        if (duration is { } d && (d <= TimeSpan.Zero || d > MaxDuration))
        {
            _events.Publish(new RelayHoldRefused(relayId, by, "a timed hold lasts from a minute to a day"));
            return;
        }

        state.Command = new Command(by, duration is { } length ? _time.GetUtcNow() + length : null);
        Evaluate(by);
    }

    /// <summary>Ends a relay's hold (and sets aside its schedules until their window ends); a relay not held is released too, cutting a pulse short.</summary>
    public void Release(string relayId, string by)
    {
        if (!_relays.TryGetValue(relayId, out var state))
        {
            if (_board.ReleaseRelay(relayId))
            {
                _events.Publish(new RelayReleased(relayId, by, WasHeld: false));
            }

            return;
        }

        state.Command = null;
        SetAsideActiveSchedules(relayId, state, _time.GetLocalNow());

        if (!state.Held)
        {
            _board.ReleaseRelay(relayId);
            _events.Publish(new RelayReleased(relayId, by, WasHeld: false));
            return;
        }

        Evaluate(by);
    }

    /// <summary>New schedules and modes; holds no longer allowed end at once.</summary>
    public void Reconfigure(StationConfig config)
    {
        Apply(config);
        Evaluate("configuration");
    }

    /// <summary>The board says a relay was released: a hold that was not over ends here, never to be undone.</summary>
    public void OnBoardReleased(string relayId)
    {
        if (!_relays.TryGetValue(relayId, out var state) || !state.Held || _board.IsRelayEnergised(relayId))
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (state.Command is { Until: { } until } && until <= now)
        {
            // A timed hold's end, seen by the relay's timer first: the usual evaluation (a schedule may hold it on).
            Evaluate(null);
            return;
        }

        // Released by something else (ReleaseAll on an exit path): the hold is over, schedules included, until their next window.
        state.Command = null;
        SetAsideActiveSchedules(relayId, state, _time.GetLocalNow());

        state.Held = false;
        state.By = "";
        state.Until = null;
        _events.Publish(new RelayReleased(relayId, "the board", WasHeld: true));
        Publish();
    }

    /// <summary>Releases every hold (the station is stopping; the board's ReleaseAll follows).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        foreach (var (relayId, state) in _relays)
        {
            if (state.Held)
            {
                _board.ReleaseRelay(relayId);
            }
        }

        _relays.Clear();
        Volatile.Write(ref _snapshot, []);
    }

    private static HashSet<string> HoldableIn(StationConfig config, IBoard board)
    {
        var holdable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var relay in config.Relays)
        {
            if (relay.Mode == RelayMode.Hold && board.RelayIds.Contains(relay.Id))
            {
                holdable.Add(relay.Id);
            }
        }

        return holdable;
    }

    private void Apply(StationConfig config)
    {
        var holdable = HoldableIn(config, _board);
        holdable.IntersectWith(_holdableAtStart);
        foreach (var relayId in _relays.Keys.ToList())
        {
            if (!holdable.Contains(relayId))
            {
                var state = _relays[relayId];
                _relays.Remove(relayId);
                if (state.Held)
                {
                    _board.ReleaseRelay(relayId);
                    _events.Publish(new RelayReleased(relayId, "configuration (the relay may no longer be held)", WasHeld: true));
                }
            }
        }

        foreach (var relayId in holdable)
        {
            _relays.TryAdd(relayId, new RelayState());
        }

        var schedules = new List<HoldingSchedule>();
        foreach (var schedule in config.Schedules)
        {
            var relays = (schedule.HoldRelays ?? []).Where(holdable.Contains).ToHashSet(StringComparer.Ordinal);
            if (relays.Count > 0 && WeeklySchedule.TryParse(schedule, out var window, out _, out _))
            {
                schedules.Add(new HoldingSchedule(schedule.Id, window, relays));
            }
        }

        // A schedule that is gone (or no longer holds a relay) is no longer set aside either.
        foreach (var state in _relays.Values)
        {
            foreach (var id in state.SetAside.Keys.Where(id => !schedules.Exists(s => s.Id == id)).ToList())
            {
                state.SetAside.Remove(id);
            }
        }

        _schedules = schedules;
        Volatile.Write(ref _holdable, holdable);
    }

    /// <summary>
    /// Brings every relay to what its commands and schedules want now, tells the board, raises the events and arms the
    /// timer for the next change. <paramref name="by"/>: who caused this evaluation (null: time passing).
    /// </summary>
    private void Evaluate(string? by)
    {
        var now = _time.GetUtcNow();
        var local = _time.GetLocalNow();
        foreach (var (relayId, state) in _relays)
        {
            string? ended = null;
            if (state.Command is { Until: { } until } && until <= now)
            {
                state.Command = null;
                ended = "the end of its time";
            }

            string? holdingSchedule = null;
            var endedSchedules = new List<string>();
            foreach (var schedule in _schedules)
            {
                if (!schedule.Relays.Contains(relayId))
                {
                    continue;
                }

                var start = schedule.Window.CurrentWindowStart(local);
                if (start is null)
                {
                    state.SetAside.Remove(schedule.Id);
                    if (state.By == "schedule " + schedule.Id)
                    {
                        endedSchedules.Add(schedule.Id);
                    }
                }
                else if (state.SetAside.TryGetValue(schedule.Id, out var setAsideIn) && setAsideIn == start)
                {
                    // Released by hand in this window: not held again before the next one.
                }
                else
                {
                    state.SetAside.Remove(schedule.Id);
                    holdingSchedule ??= schedule.Id;
                }
            }

            if (state.Command is { } command || holdingSchedule is not null)
            {
                // Who holds it, as shown: the command (its end is the hold's unless a schedule holds on), else the schedule.
                var holder = state.Command?.By ?? "schedule " + holdingSchedule;
                var end = holdingSchedule is null ? state.Command?.Until : null;
                if (!state.Held || state.By != holder || state.Until != end || !_board.IsRelayHeld(relayId))
                {
                    var changed = !state.Held || state.By != holder || state.Until != end;
                    if (_board.HoldRelay(relayId, end is { } e ? e - now : null))
                    {
                        state.Held = true;
                        state.By = holder;
                        state.Until = end;
                        if (changed)
                        {
                            _events.Publish(new RelayHeld(relayId, holder, end));
                        }
                    }
                }
            }
            else if (state.Held)
            {
                // A timed hold that reached the end the board was given ends on the relay's own timer (now, or at the end of
                // a pulse given during the hold); any other end is a release now.
                if (ended is null || state.Until is null)
                {
                    _board.ReleaseRelay(relayId);
                }

                state.Held = false;
                state.By = "";
                state.Until = null;
                var who = ended ?? (endedSchedules.Count > 0 ? $"schedule {endedSchedules[0]} (its window ended)" : by ?? "the end of its time");
                _events.Publish(new RelayReleased(relayId, who, WasHeld: true));
            }
        }

        Publish();
        ArmTimer(now);
    }

    private void SetAsideActiveSchedules(string relayId, RelayState state, DateTimeOffset local)
    {
        foreach (var schedule in _schedules)
        {
            if (schedule.Relays.Contains(relayId) && schedule.Window.CurrentWindowStart(local) is { } start)
            {
                state.SetAside[schedule.Id] = start;
            }
        }
    }

    private void ArmTimer(DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        if (_schedules.Count > 0)
        {
            // Windows start and end on whole minutes (local offsets are whole minutes too).
            next = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero) + TimeSpan.FromMinutes(1);
        }

        foreach (var state in _relays.Values)
        {
            if (state.Command is { Until: { } until } && (next is null || until < next))
            {
                next = until;
            }
        }

        if (next is { } due)
        {
            _timer.Start(due - now);
        }
        else
        {
            _timer.Stop();
        }
    }

    private void Publish()
    {
        var holds = new List<RelayHold>();
        foreach (var relayId in _board.RelayIds)
        {
            if (_relays.TryGetValue(relayId, out var state) && state.Held)
            {
                holds.Add(new RelayHold(relayId, state.By, state.Until));
            }
        }

        Volatile.Write(ref _snapshot, [.. holds]);
    }

    private sealed record Command(string By, DateTimeOffset? Until);

    private sealed record HoldingSchedule(string Id, WeeklySchedule Window, HashSet<string> Relays);

    private sealed class RelayState
    {
        /// <summary>The hold a command asked for, if any.</summary>
        public Command? Command { get; set; }

        /// <summary>Schedules released by hand, with the start of the window they were released in (it holds again in its next one).</summary>
        public Dictionary<string, DateTime> SetAside { get; } = new(StringComparer.Ordinal);

        /// <summary>What the board was told: held, by whom, until when.</summary>
        public bool Held { get; set; }

        public string By { get; set; } = "";

        public DateTimeOffset? Until { get; set; }
    }
}

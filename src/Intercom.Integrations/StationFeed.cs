using Intercom.Configuration;
using Intercom.Hardware;
using Intercom.Station;
using Intercom.Station.Logging;

namespace Intercom.Integrations;

/// <summary>
/// The station as home automation sees it: a few named events (<see cref="IntegrationEventNames"/>) and the state worth
/// keeping retained (call state, relays, registrations). Listens to the station's event log and call state, the board's
/// relays and the app's registration reports; raises <see cref="EventRaised"/> and <see cref="StateChanged"/> on the
/// thread that saw the change (often the station's own loop), so subscribers must only queue work, never wait.
/// </summary>
public sealed class StationFeed : IDisposable
{
    private readonly Lock _gate = new();
    private readonly DoorStation _station;
    private readonly IBoard _board;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, bool> _relays = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _registrations = new(StringComparer.Ordinal);
    private StationCallState _callState;
    private string _lastCallMessage = "";
    private long _sequence;
    private bool _started;
    private bool _disposed;

    /// <param name="station">The running station.</param>
    /// <param name="board">Its board (relay changes come from here, including pulse ends).</param>
    /// <param name="registeringAccounts">Ids of the accounts that register, in configuration order.</param>
    /// <param name="time">Clock for the events' timestamps.</param>
    public StationFeed(DoorStation station, IBoard board, IEnumerable<string> registeringAccounts, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(station);
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(registeringAccounts);
        ArgumentNullException.ThrowIfNull(time);
        _station = station;
        _board = board;
        _time = time;
        RelayIds = [.. board.RelayIds];
        AccountIds = [.. registeringAccounts];
        foreach (var account in AccountIds)
        {
            _registrations[account] = false;
        }
    }

    /// <summary>One of the named events happened.</summary>
    public event EventHandler<IntegrationEvent>? EventRaised;

    /// <summary>A published part of the state changed; read its value from this feed.</summary>
    public event EventHandler<StationStateChange>? StateChanged;

    public IReadOnlyList<string> RelayIds { get; }

    public IReadOnlyList<string> AccountIds { get; }

    public StationCallState CallState
    {
        get { lock (_gate) { return _callState; } }
    }

    public bool IsRelayEnergised(string relayId)
    {
        lock (_gate)
        {
            return _relays.TryGetValue(relayId, out var energised) && energised;
        }
    }

    public bool IsRegistered(string accountId)
    {
        lock (_gate)
        {
            return _registrations.TryGetValue(accountId, out var registered) && registered;
        }
    }

    /// <summary>Subscribes; call after the sinks have subscribed to this feed so they see everything from here on.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started || _disposed)
            {
                return;
            }

            _started = true;
            foreach (var relay in RelayIds)
            {
                _relays[relay] = _board.IsRelayEnergised(relay);
            }

            _callState = _station.CallState;
        }

        _station.Events.Appended += OnStationEvent;
        _station.CallStateChanged += OnCallStateChanged;
        _board.RelayChanged += OnRelayChanged;
    }

    /// <summary>The app reports an account's registration (RFC 3261 §10) as it changes.</summary>
    public void ReportRegistration(string accountId, bool registered)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        lock (_gate)
        {
            if (_disposed || !_registrations.TryGetValue(accountId, out var was) || was == registered)
            {
                return;
            }

            _registrations[accountId] = registered;
            StateChanged?.Invoke(this, new StationStateChange(StationStateKind.Registration, accountId));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _station.Events.Appended -= OnStationEvent;
        _station.CallStateChanged -= OnCallStateChanged;
        _board.RelayChanged -= OnRelayChanged;
    }

    /// <summary>Which named event, if any, a station log entry is; and about what.</summary>
    internal static bool TryClassify(StationEvent entry, out string name, out string? subject)
    {
        subject = null;
        switch (entry.Kind)
        {
            case StationEventKind.Button when TryButtonPress(entry.Message, out var button):
                name = IntegrationEventNames.Doorbell;
                subject = button;
                return true;
            case StationEventKind.CodeAccepted:
                name = IntegrationEventNames.CodeAccepted;
                subject = After(entry.Message, ": opening ");
                return true;
            case StationEventKind.CodeRejected:
                name = IntegrationEventNames.CodeRefused;
                return true;
            case StationEventKind.Lockout:
                name = IntegrationEventNames.Lockout;
                return true;
            case StationEventKind.Tamper:
                name = IntegrationEventNames.Tamper;
                return true;
            default:
                name = "";
                return false;
        }
    }

    // The station logs a press as "button ID pressed" (and other button lines, such as a press ignored during a call).
    private static bool TryButtonPress(string message, out string? button)
    {
        const string Prefix = "button ";
        const string Suffix = " pressed";
        button = null;
        if (message.Length <= Prefix.Length + Suffix.Length
            || !message.StartsWith(Prefix, StringComparison.Ordinal) || !message.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return false;
        }

        button = message[Prefix.Length..^Suffix.Length];
        return true;
    }

    private static string? After(string message, string marker)
    {
        var at = message.LastIndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? null : message[(at + marker.Length)..];
    }

    private void OnStationEvent(object? sender, StationEvent entry)
    {
        if (entry.Kind is StationEventKind.Call or StationEventKind.Incoming)
        {
            lock (_gate)
            {
                _lastCallMessage = entry.Message;
            }

            return;
        }

        if (TryClassify(entry, out var name, out var subject))
        {
            Raise(name, subject, entry.Message);
        }
    }

    private void OnCallStateChanged(object? sender, StationCallState state)
    {
        StationCallState previous;
        string message;
        lock (_gate)
        {
            previous = _callState;
            _callState = state;
            message = _lastCallMessage;
            StateChanged?.Invoke(this, new StationStateChange(StationStateKind.CallState, null));
        }

        // Idle → Calling: a visitor's call rings; Idle → InCall: an incoming call was auto-answered (it started and was
        // answered at once); Calling → InCall: a resident answered; back to Idle: the call is over.
        if (previous == StationCallState.Idle && state != StationCallState.Idle)
        {
            Raise(IntegrationEventNames.CallStarted, null, message);
        }

        if (state == StationCallState.InCall && previous != StationCallState.InCall)
        {
            Raise(IntegrationEventNames.CallAnswered, null, message);
        }

        if (state == StationCallState.Idle && previous != StationCallState.Idle)
        {
            Raise(IntegrationEventNames.CallEnded, null, message);
        }
    }

    private void OnRelayChanged(object? sender, RelayChangedEventArgs e)
    {
        lock (_gate)
        {
            if (_disposed || (_relays.TryGetValue(e.RelayId, out var was) && was == e.Energised))
            {
                return;
            }

            _relays[e.RelayId] = e.Energised;
            StateChanged?.Invoke(this, new StationStateChange(StationStateKind.Relay, e.RelayId));
        }

        if (e.Energised)
        {
            Raise(IntegrationEventNames.DoorOpened, e.RelayId, $"{e.RelayId} opened");
        }
    }

    private void Raise(string name, string? subject, string message)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // Under the lock so every subscriber sees the events in sequence order.
            EventRaised?.Invoke(this, new IntegrationEvent(name, ++_sequence, _time.GetUtcNow(), subject, message));
        }
    }
}

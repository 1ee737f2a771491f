using Intercom.Configuration;
using Intercom.Hardware;
using Intercom.Station;
using Intercom.Station.Events;
using Intercom.Station.Logging;

namespace Intercom.Integrations;

/// <summary>
/// The station as home automation sees it: a few named events (<see cref="IntegrationEventNames"/>) and the state worth
/// keeping retained (call state, relays, registrations). Fed by the station's typed events (<see cref="DoorStation.EventBus"/>:
/// which button, which relay, whose code, which account's registration), never by log text, so rewording a log line
/// cannot change what Home Assistant sees; the formatter's line only fills the events' "message", for a person.
/// Raises <see cref="EventRaised"/> and <see cref="StateChanged"/> on the thread that saw the change (usually the
/// station's own loop), so subscribers must only queue work, never wait.
/// </summary>
public sealed class StationFeed : IDisposable
{
    private readonly Lock _gate = new();
    private readonly DoorStation _station;
    private readonly IBoard _board;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, bool> _relays = new(StringComparer.Ordinal);
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _inputs = new(StringComparer.Ordinal);
    // The published state: the registering accounts' (AccountIds) only.
    private readonly Dictionary<string, AccountRegistrationState> _registrations = new(StringComparer.Ordinal);

    // Every account's last state, reported or read at start (a "registration" event is raised when it changes).
    private readonly Dictionary<string, AccountRegistrationState> _lastRegistration = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedSinceStart = new(StringComparer.Ordinal);
    private StationCallState _callState;
    private string _lastCallMessage = "";
    private long _sequence;
    private bool _started;
    private bool _disposed;

    /// <param name="station">The running station.</param>
    /// <param name="board">Its board (the relays and their state when the feed starts; changes come as station events).</param>
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
            _registrations[account] = AccountRegistrationState.Unregistered;
            _lastRegistration[account] = AccountRegistrationState.Unregistered;
        }
    }

    /// <summary>One of the named events happened.</summary>
    public event EventHandler<IntegrationEvent>? EventRaised;

    /// <summary>A published part of the state changed; read its value from this feed.</summary>
    public event EventHandler<StationStateChange>? StateChanged;

    public IReadOnlyList<string> RelayIds { get; }

    public IReadOnlyList<string> AccountIds { get; }

    /// <summary>Input state names (PREFIX/NAME on MQTT, a binary sensor each in Home Assistant).</summary>
    public const string DoorContact = "door_contact";
    public const string DoorHeldOpen = "door_held_open";
    public const string DoorForcedOpen = "door_forced_open";
    public const string Tamper = "tamper";
    public const string KeypadLockout = "keypad_lockout";
    public const string CodeLockout = "code_lockout";

    /// <summary>Every input state, in the order they are published.</summary>
    public static IReadOnlyList<string> InputNames { get; } = [DoorContact, DoorHeldOpen, DoorForcedOpen, Tamper, KeypadLockout, CodeLockout];

    /// <summary>Which fixed inputs the board has (the station's, read at start).</summary>
    public StationInputs Inputs => _station.Inputs;

    /// <summary>True while the input state is on (door open, held open, forced open, tamper active, locked out).</summary>
    public bool IsInputOn(string name)
    {
        lock (_gate)
        {
            return _inputs.TryGetValue(name, out var on) && on;
        }
    }

    /// <summary>The relays that may be held open (relays[].mode Hold), in board order, as at start.</summary>
    public IReadOnlyList<string> HoldableRelays { get; private set; } = [];

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

    /// <summary>True while the relay is held open on purpose (not merely pulsed).</summary>
    public bool IsRelayHeld(string relayId)
    {
        lock (_gate)
        {
            return _held.Contains(relayId);
        }
    }

    public bool IsRegistered(string accountId)
    {
        lock (_gate)
        {
            return _registrations.TryGetValue(accountId, out var state) && state == AccountRegistrationState.Registered;
        }
    }

    /// <summary>Where a registering account's registration stands, as the station last reported it (unregistered before any report or for another account).</summary>
    public AccountRegistrationState RegistrationState(string accountId)
    {
        lock (_gate)
        {
            return _registrations.TryGetValue(accountId, out var state) ? state : AccountRegistrationState.Unregistered;
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

            HoldableRelays = [.. RelayIds.Where(_station.CanHoldRelay)];
            var status = _station.GetStatus();
            foreach (var hold in status.HeldRelays ?? [])
            {
                _held.Add(hold.RelayId);
            }

            _inputs[DoorContact] = status.DoorOpen;
            _inputs[DoorHeldOpen] = status.DoorHeldOpen;
            _inputs[DoorForcedOpen] = status.DoorForcedOpen;
            _inputs[Tamper] = status.TamperActive;
            _inputs[KeypadLockout] = status.KeypadLockedOut;
            _inputs[CodeLockout] = status.CodeEntryLockedOut;

            _callState = _station.CallState;
        }

        _station.EventBus.Raised += OnStationEvent;

        // Registrations reported before this feed started, read after subscribing: an account an event has already told
        // of keeps that (newer) state.
        lock (_gate)
        {
            foreach (var reported in _station.AccountRegistrations)
            {
                if (_reportedSinceStart.Add(reported.AccountId))
                {
                    _lastRegistration[reported.AccountId] = reported.State;
                    if (_registrations.ContainsKey(reported.AccountId))
                    {
                        _registrations[reported.AccountId] = reported.State;
                    }
                }
            }
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

        _station.EventBus.Raised -= OnStationEvent;
    }

    /// <summary>
    /// Which named event, if any, a station event is; about what (the button, the relay) and, for a code, whose entry it
    /// was. Read from the typed event alone: the wording of the station's log lines plays no part.
    /// </summary>
    internal static bool TryClassify(DoorStationEvent e, out string name, out string? subject, out string? entry)
    {
        subject = null;
        entry = null;
        switch (e)
        {
            case ButtonPressed pressed:
                name = IntegrationEventNames.Doorbell;
                subject = pressed.ButtonId;
                return true;
            case CodeAccepted accepted:
                name = IntegrationEventNames.CodeAccepted;
                subject = accepted.RelayId;
                // Whose code it was; for the page's Open door, which web user ("web:admin").
                entry = accepted.User is { } user ? "web:" + user : accepted.EntryId;
                return true;
            case CodeRejected:
                name = IntegrationEventNames.CodeRefused;
                return true;

            // A lockout, and the first entry it ignores (once per lockout): both tell the house someone is guessing.
            case CodeLockedOut lockedOut:
                name = IntegrationEventNames.Lockout;
                subject = lockedOut.Caller ?? "station";
                return true;
            case CodeEntryIgnored ignored:
                name = IntegrationEventNames.Lockout;
                subject = ignored.Caller ?? "station";
                return true;
            case CodeLockoutEnded ended:
                name = IntegrationEventNames.LockoutEnded;
                subject = ended.Caller ?? "station";
                return true;
            case TamperChanged:
                name = IntegrationEventNames.Tamper;
                return true;
            case DoorContactChanged { Open: true }:
                name = IntegrationEventNames.DoorContactOpened;
                return true;
            case DoorContactChanged:
                name = IntegrationEventNames.DoorContactClosed;
                return true;
            case Intercom.Station.Events.DoorHeldOpen:
                name = IntegrationEventNames.DoorHeldOpen;
                return true;
            case ExitButtonPressed exit:
                name = IntegrationEventNames.ExitButton;
                subject = exit.RelayId;
                return true;
            case RelayChanged { Energised: true } relay:
                name = IntegrationEventNames.DoorOpened;
                subject = relay.RelayId;
                return true;
            case RelayHeld held:
                name = IntegrationEventNames.RelayHeld;
                subject = held.RelayId;
                return true;
            case RelayReleased released:
                name = IntegrationEventNames.RelayReleased;
                subject = released.RelayId;
                return true;
            default:
                name = "";
                return false;
        }
    }

    private void OnStationEvent(object? sender, DoorStationEvent e)
    {
        switch (e)
        {
            case StationCallStateChanged state:
                OnCallStateChanged(state.State);
                return;
            case RelayChanged relay:
                OnRelayChanged(relay);
                return;
            case AccountRegistrationChanged registration:
                OnRegistrationChanged(registration);
                return;
            case DoorContactChanged contact:
                SetInput(DoorContact, contact.Open);
                SetInput(DoorForcedOpen, contact.Forced);
                if (!contact.Open)
                {
                    SetInput(DoorHeldOpen, false);
                }

                var doorLine = _station.Formatter.Describe(e) ?? "door";
                Raise(contact.Open ? IntegrationEventNames.DoorContactOpened : IntegrationEventNames.DoorContactClosed, null, doorLine);
                if (contact.Forced)
                {
                    // And a second event: it opened without the relay (2N's UnauthorizedDoorOpen).
                    Raise(IntegrationEventNames.DoorForcedOpen, null, doorLine);
                }

                return;
            case Intercom.Station.Events.DoorHeldOpen:
                SetInput(DoorHeldOpen, true);
                break;
            case TamperChanged tamper:
                SetInput(Tamper, tamper.Active);
                if (TryClassify(e, out var tamperName, out _, out _))
                {
                    Raise(tamperName, null, _station.Formatter.Describe(e) ?? tamperName, state: tamper.Active ? "active" : "cleared");
                }

                return;
            case CodeLockedOut { Caller: null or "keypad" } lockedOut:
                SetInput(lockedOut.Caller is null ? CodeLockout : KeypadLockout, true);
                break;
            case CodeLockoutEnded ended:
                SetInput(ended.Caller is null ? CodeLockout : KeypadLockout, false);
                break;
            case RelayHeld held:
                OnHoldChanged(held.RelayId, held: true);
                break;
            case RelayReleased released:
                OnHoldChanged(released.RelayId, held: false);
                break;
            case { Kind: StationEventKind.Call or StationEventKind.Incoming }:
                // The call's latest step, for a person reading call_started/answered/ended.
                var line = _station.Formatter.Describe(e);
                if (line is not null)
                {
                    lock (_gate)
                    {
                        _lastCallMessage = line;
                    }
                }

                return;
        }

        if (TryClassify(e, out var name, out var subject, out var entry))
        {
            Raise(name, subject, _station.Formatter.Describe(e) ?? name, entry);
        }
    }

    private void OnCallStateChanged(StationCallState state)
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

    private void OnRelayChanged(RelayChanged e)
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

        if (TryClassify(e, out var name, out var subject, out _))
        {
            Raise(name, subject, $"{e.RelayId} opened");
        }
    }

    private void SetInput(string name, bool on)
    {
        lock (_gate)
        {
            if (_disposed || (_inputs.TryGetValue(name, out var was) && was == on))
            {
                return;
            }

            _inputs[name] = on;
            StateChanged?.Invoke(this, new StationStateChange(StationStateKind.Input, name));
        }
    }

    private void OnHoldChanged(string relayId, bool held)
    {
        lock (_gate)
        {
            if (_disposed || (held ? !_held.Add(relayId) : !_held.Remove(relayId)))
            {
                return;
            }

            StateChanged?.Invoke(this, new StationStateChange(StationStateKind.RelayHold, relayId));
        }
    }

    // The published state follows a registering account's state; the "registration" event any account's (a person reads why).
    private void OnRegistrationChanged(AccountRegistrationChanged e)
    {
        lock (_gate)
        {
            _reportedSinceStart.Add(e.AccountId);
            if (_disposed || (_lastRegistration.TryGetValue(e.AccountId, out var was) && was == e.State))
            {
                return;
            }

            _lastRegistration[e.AccountId] = e.State;
            if (_registrations.ContainsKey(e.AccountId))
            {
                _registrations[e.AccountId] = e.State;
                StateChanged?.Invoke(this, new StationStateChange(StationStateKind.Registration, e.AccountId));
            }
        }

        Raise(IntegrationEventNames.Registration, e.AccountId, _station.Formatter.Describe(e) ?? IntegrationEventNames.Registration,
            state: RegistrationStates.Of(e.State));
    }

    private void Raise(string name, string? subject, string message, string? entry = null, string? state = null)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // Under the lock so every subscriber sees the events in sequence order.
            EventRaised?.Invoke(this, new IntegrationEvent(name, ++_sequence, _time.GetUtcNow(), subject, message, entry, state));
        }
    }
}

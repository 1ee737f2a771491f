using Intercom.Hardware;
using Intercom.Station.Calls;
using Intercom.Station.Codes;
using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Intercom.Station.Logging;
using Intercom.Station.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Station;

/// <summary>
/// The door station: call buttons ring their ring group, residents key DTMF codes to open relays, allowlisted
/// callers are auto-answered, the keypad opens doors and dials apartments, the exit button opens the door, and
/// every event is published as a typed <see cref="DoorStationEvent"/> on <see cref="EventBus"/> (the event log writes
/// its line from it). Composes an <see cref="IBoard"/>, an <see cref="ICallControl"/> and a TimeProvider under
/// a <see cref="StationConfig"/> that has passed <see cref="StationConfigValidator"/>.
/// <para>
/// All public members are thread-safe: board events, call events, timers and API calls are serialised on one
/// internal loop. One call at a time (a door station has one microphone and one loudspeaker); a second incoming
/// call gets 486 Busy Here.
/// </para>
/// </summary>
public sealed partial class DoorStation : IDisposable
{
    /// <summary>The path of an opening from the page's Open door, in <see cref="CodeAccepted"/> ("web page").</summary>
    public const string WebPagePath = "web page";

    private StationConfig _config;
    private readonly IBoard _board;
    private readonly ICallControl _calls;
    private readonly TimeProvider _time;
    private readonly StationLoop _loop;
    private readonly DtmfCodeLock _codeLock;
    private RingGroupSelector _routing;
    private KeypadEntry _keypad;
    private readonly StationTimer _incomingMaxTimer;
    private readonly StationTimer _hangUpAfterOpenTimer;
    private readonly RelayHolds _holds;
    private CallHandle? _hangUpAfterOpen;
    private RingGroupCall? _outgoing;
    private CallHandle? _incoming;
    private bool _tamper;
    private volatile bool _heldOpen;
    private volatile bool _forcedOpen;
    private volatile RegistrationState _registered;
    private AccountRegistrationChanged[] _accountRegistrations = [];
    private bool _started;
    private bool _stopped;
    private volatile StationCallState _state;

    /// <summary>Builds the station; call <see cref="Start"/> to begin handling events.</summary>
    /// <param name="config">A validated configuration.</param>
    /// <param name="board">The I/O board (owned by the caller).</param>
    /// <param name="calls">The call API over the SIP user agent (owned by the caller).</param>
    /// <param name="time">The clock for every timer.</param>
    /// <param name="logger">Diagnostics (events also go to <see cref="Events"/>).</param>
    /// <param name="formatter">The wording of the event log's lines (<see cref="StationEventFormatter.Default"/>).</param>
    public DoorStation(StationConfig config, IBoard board, ICallControl calls, TimeProvider time, ILogger? logger = null,
        StationEventFormatter? formatter = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(time);
        _config = config;
        _board = board;
        _calls = calls;
        _time = time;
        logger ??= NullLogger.Instance;
        _loop = new StationLoop(logger);
        Events = new EventLog(config.EventLog, time, logger);
        Formatter = formatter ?? StationEventFormatter.Default;

        // The log is the first consumer, so whoever reads it on a later event finds this one there.
        EventBus.Raised += (_, e) =>
        {
            if (Formatter.Describe(e) is { } line)
            {
                Events.Append(e.Kind, line, e);
            }
        };
        _codeLock = new DtmfCodeLock(config.CodeLock, config.Codes, config.Keypad.LocalCodes, _loop, time, EventBus);
        _incomingMaxTimer = new StationTimer(_loop, time, OnIncomingMaxCallTime);
        _hangUpAfterOpenTimer = new StationTimer(_loop, time, OnHangUpAfterOpen);
        _holds = new RelayHolds(config, board, _loop, time, EventBus);
        _keypad = new KeypadEntry(config.Keypad, TimeSpan.FromMilliseconds(config.CodeLock.InterDigitTimeoutMs), _codeLock, _loop, time, EventBus);
        _routing = new RingGroupSelector(config);
        var wiring = config.Board ?? new BoardConfig();
        Inputs = new StationInputs(wiring.DoorContact is not null, wiring.ExitButton is not null, wiring.Tamper is not null, wiring.Keypad is not null);
    }

    /// <summary>Which fixed inputs the board has (read at start, as the board is).</summary>
    public StationInputs Inputs { get; }

    /// <summary>The event log (bounded, persisted tail), written from <see cref="EventBus"/> by <see cref="Formatter"/>.</summary>
    public EventLog Events { get; }

    /// <summary>Every event as a typed fact, raised on the station's loop; see <see cref="StationEventBus"/>.</summary>
    public StationEventBus EventBus { get; } = new();

    /// <summary>The wording of the log's lines, for consumers that show an event to a person (MQTT's "message").</summary>
    public StationEventFormatter Formatter { get; }

    /// <summary>What the station is doing on the phone now.</summary>
    public StationCallState CallState => _state;

    /// <summary>
    /// Raised on the station's loop when <see cref="CallState"/> changes, after the event that caused it was logged
    /// (for MQTT, webhooks and the page). Handlers must return at once: they hold up the station.
    /// </summary>
    public event EventHandler<StationCallState>? CallStateChanged;

    /// <summary>A snapshot for the page and the API; any thread.</summary>
    public StationStatus GetStatus()
    {
        var energised = new List<string>();
        foreach (var relay in _board.RelayIds)
        {
            if (_board.IsRelayEnergised(relay))
            {
                energised.Add(relay);
            }
        }

        return new StationStatus(_state, _registered switch
        {
            RegistrationState.Registered => true,
            RegistrationState.NotRegistered => false,
            _ => null,
        }, _board.IsDoorOpen, _board.IsTamperActive, _codeLock.IsStationLockedOut, energised, _holds.Snapshot)
        {
            DoorHeldOpen = _heldOpen,
            DoorForcedOpen = _forcedOpen,
            KeypadLockedOut = _codeLock.IsKeypadLockedOut,
        };
    }

    /// <summary>
    /// True when the relay may be held open (relays[].mode Hold, at start and in the configuration in force); any thread.
    /// </summary>
    public bool CanHoldRelay(string relayId) => _holds.CanHold(relayId);

    /// <summary>The relays that may be held open now; any thread.</summary>
    public IReadOnlyCollection<string> HoldableRelays => _holds.Holdable;

    /// <summary>Subscribes to the board and the call API and shows the initial LED states.</summary>
    public void Start()
    {
        Run(() =>
        {
            if (_started)
            {
                return;
            }

            _started = true;
            _board.InputChanged += OnBoardInput;
            _board.KeyPressed += OnBoardKey;
            _board.RelayChanged += OnBoardRelay;
            _board.DoorHeldOpen += OnBoardDoorHeldOpen;
            _calls.CallEvent += OnCallEvent;
            _tamper = _board.IsTamperActive;
            RefreshLeds();
            EventBus.Publish(new StationLifecycleChanged(StationLifecycle.Started));

            // A schedule active now holds its relays from the start (a restart during a shop's opening hours).
            _holds.Start();
        });
    }

    /// <summary>
    /// Opens a relay for its pulse time on behalf of someone (the web page, the API, MQTT). The door relay opened during a
    /// connected call ends that call after <see cref="StationConfig.HangUpAfterOpenSeconds"/>, when set.
    /// </summary>
    public void OpenRelay(string relayId, string requestedBy) => _loop.Post(() =>
    {
        if (_stopped)
        {
            return;
        }

        var opened = _board.OpenRelay(relayId);
        EventBus.Publish(new RelayOpenRequested(relayId, requestedBy, opened));
        if (opened && string.Equals(relayId, _config.DoorRelay, StringComparison.Ordinal))
        {
            HangUpAfterOpen(relayId, requestedBy, _config.HangUpAfterOpenSeconds, playTone: true);
        }
    });

    /// <summary>
    /// The Open door button of a resident's page during a call (issue #20): the door relay opens by the code path, as a
    /// right code keyed in that call would open it (the accepted tone, <see cref="CodeAccepted"/> naming the web user, the
    /// hang-up-after-open rule), and only while the connected call is with that user's own page: its browser phone on
    /// the WebSocket that user's session opened (<see cref="ICallControl.WebUserOf"/>). Any other call (a desk phone, a
    /// SIP client that registered with the digest) gets no door from a web request that names it.
    /// </summary>
    /// <returns>Completes with true when the door relay opened; false with no such call, or when the relay refused.</returns>
    public Task<bool> OpenDoorFromPage(string user)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(() =>
        {
            try
            {
                if (!_stopped && ConnectedCall() is { } call && string.Equals(_calls.WebUserOf(call), user, StringComparison.Ordinal))
                {
                    var code = _codeLock.AcceptFromUser(CodeScope.ForCall(call), WebPagePath, user, _config.DoorRelay);
                    done.TrySetResult(AfterCode(CodeResult.Accepted, code, $"web user '{user}'"));
                }
            }
            finally
            {
                done.TrySetResult(false);
            }
        });
        return done.Task;
    }

    /// <summary>
    /// Holds a relay open on purpose (relays[].mode Hold), past its maxMs: until <see cref="ReleaseRelay"/> (null), or for
    /// <paramref name="duration"/> (a minute to a day). A relay that only pulses is refused (<see cref="RelayHoldRefused"/>).
    /// </summary>
    public void HoldRelay(string relayId, string requestedBy, TimeSpan? duration = null) => _loop.Post(() =>
    {
        if (!_stopped)
        {
            _holds.Hold(relayId, requestedBy, duration);
        }
    });

    /// <summary>
    /// Releases a relay now: ends its hold (schedules holding it now are set aside until their window ends) or cuts its
    /// pulse short.
    /// </summary>
    public void ReleaseRelay(string relayId, string requestedBy) => _loop.Post(() =>
    {
        if (!_stopped)
        {
            _holds.Release(relayId, requestedBy);
        }
    });

    /// <summary>"Unlock" (Home Assistant's lock): holds a relay that may be held, pulses one that may not.</summary>
    public void UnlockRelay(string relayId, string requestedBy)
    {
        if (CanHoldRelay(relayId))
        {
            HoldRelay(relayId, requestedBy);
        }
        else
        {
            OpenRelay(relayId, requestedBy);
        }
    }

    /// <summary>Rings a ring group (by id) or a single SIP URI / extension, as a button or the keypad would.</summary>
    public void Dial(string target, string requestedBy) => _loop.Post(() => DialTarget(target, requestedBy, null));

    /// <summary>
    /// As <see cref="Dial(string, string)"/>, through the named account (accounts[].id; null: the ring group's own, else
    /// the call side's choice).
    /// </summary>
    public void Dial(string target, string requestedBy, string? account) => _loop.Post(() => DialTarget(target, requestedBy, account));

    /// <summary>Ends the current call, if any.</summary>
    public void HangUp(string requestedBy) => _loop.Post(() => HangUpAll(requestedBy));

    /// <summary>
    /// Applies changed door-station rules (buttons and their ring groups, ring groups, schedules, codes and their limits,
    /// incoming calls, the keypad's codes and dial map) from the next event on, without touching the call in progress:
    /// it keeps the ring group it started with. Board wiring (pins, relays) is read once at start; a change there needs
    /// a restart. The configuration must have passed <see cref="StationConfigValidator"/>.
    /// </summary>
    public void Reconfigure(StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _loop.Post(() =>
        {
            if (_stopped)
            {
                return;
            }

            _config = config;
            _routing = new RingGroupSelector(config);
            _codeLock.Reconfigure(config.CodeLock, config.Codes, config.Keypad.LocalCodes);
            _holds.Reconfigure(config);
            _keypad.Dispose();
            _keypad = new KeypadEntry(config.Keypad, TimeSpan.FromMilliseconds(config.CodeLock.InterDigitTimeoutMs), _codeLock, _loop, _time, EventBus);
            EventBus.Publish(new StationLifecycleChanged(StationLifecycle.ConfigurationApplied));
            RefreshLeds();
        });
    }

    /// <summary>The app reports the SIP registration state (drives the Registered and Fault LEDs).</summary>
    /// <param name="registered">True while any account is registered.</param>
    /// <param name="detail">The registrar's answer, for a person.</param>
    /// <param name="accountId">The account whose report this is, when known.</param>
    public void SetRegistered(bool registered, string detail, string? accountId = null) => _loop.Post(() => SetRegisteredOnLoop(registered, detail, accountId));

    /// <summary>
    /// The app passes on one account's registration change, as the phone raised it: it is published as it is (when it
    /// says something new about that account), and the station counts as registered while any account is, which
    /// publishes a <see cref="RegistrationChanged"/> when that turns (the Registered and Fault LEDs follow).
    /// </summary>
    public void ReportRegistration(AccountRegistrationChanged change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _loop.Post(() =>
        {
            var accounts = _accountRegistrations;
            var index = Array.FindIndex(accounts, a => a.AccountId == change.AccountId);
            if (index >= 0 && accounts[index] == change)
            {
                return;
            }

            // A stopped account has no registration left to show; the event still says it stopped.
            var next = new List<AccountRegistrationChanged>(accounts);
            if (index >= 0)
            {
                next.RemoveAt(index);
            }

            if (change.State != AccountRegistrationState.Stopped)
            {
                next.Insert(index >= 0 ? index : next.Count, change);
            }

            Volatile.Write(ref _accountRegistrations, [.. next]);
            EventBus.Publish(change);
            SetRegisteredOnLoop(next.Exists(a => a.Registered), $"{change.AccountId}: {change.State} {change.Reason}", change.AccountId);
        });
    }

    /// <summary>
    /// The last change reported for each account that has not stopped, in the order they were first reported; any
    /// thread. A consumer that subscribes to <see cref="EventBus"/> first and reads this afterwards misses nothing.
    /// </summary>
    public IReadOnlyList<AccountRegistrationChanged> AccountRegistrations => Volatile.Read(ref _accountRegistrations);

    private void SetRegisteredOnLoop(bool registered, string detail, string? accountId)
    {
        var state = registered ? RegistrationState.Registered : RegistrationState.NotRegistered;
        if (_registered == state)
        {
            return;
        }

        _registered = state;
        EventBus.Publish(new RegistrationChanged(accountId, registered, detail));
        RefreshLeds();
    }

    /// <summary>Stops handling events, ends calls, releases every relay and writes the event log.</summary>
    public void Dispose()
    {
        Run(() =>
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            if (_started)
            {
                _board.InputChanged -= OnBoardInput;
                _board.KeyPressed -= OnBoardKey;
                _board.RelayChanged -= OnBoardRelay;
                _board.DoorHeldOpen -= OnBoardDoorHeldOpen;
                _calls.CallEvent -= OnCallEvent;
            }

            HangUpAll("shutdown");
            _outgoing?.Dispose();
            _holds.Dispose();
            _board.ReleaseAll();
            _codeLock.Dispose();
            _incomingMaxTimer.Dispose();
            _hangUpAfterOpenTimer.Dispose();
            _keypad.Dispose();
            EventBus.Publish(new StationLifecycleChanged(StationLifecycle.Stopped));
        });
        Events.Dispose();
    }

    // Runs work on the loop and waits for it (bounded): Start and Dispose must have happened when they return.
    private void Run(Action work)
    {
        using var done = new ManualResetEventSlim();
        _loop.Post(() =>
        {
            try
            {
                work();
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait(TimeSpan.FromSeconds(10));
    }

    private void OnBoardInput(object? sender, BoardInputEventArgs e) => _loop.Post(() => HandleInput(e));

    private void OnBoardKey(object? sender, KeypadKeyEventArgs e) => _loop.Post(() => HandleKey(e.Key));

    private void OnBoardRelay(object? sender, RelayChangedEventArgs e) => _loop.Post(() =>
    {
        EventBus.Publish(new RelayChanged(e.RelayId, e.Energised));
        if (!e.Energised && !_stopped)
        {
            _holds.OnBoardReleased(e.RelayId);
        }

        RefreshLeds();
    });

    private void OnBoardDoorHeldOpen(object? sender, EventArgs e) => _loop.Post(() =>
    {
        _heldOpen = true;
        EventBus.Publish(new DoorHeldOpen(_config.Board.DoorHeldOpenSeconds));
        RefreshLeds();
    });

    private void OnCallEvent(object? sender, CallEventArgs e) => _loop.Post(() => HandleCallEvent(e));

    private void HandleInput(BoardInputEventArgs e)
    {
        if (_stopped)
        {
            return;
        }

        switch (e.Kind, e.Gesture)
        {
            case (InputKind.CallButton, InputGesture.Pressed):
                HandleCallButton(e.InputId);
                break;
            case (InputKind.ExitButton, InputGesture.Pressed):
                var opened = _board.OpenRelay(_config.DoorRelay);
                EventBus.Publish(new ExitButtonPressed(_config.DoorRelay, opened));
                break;
            case (InputKind.DoorContact, InputGesture.Activated):
                var contact = new DoorContactChanged(Open: true, ElectricRelease: _board.IsRelayEnergised(_config.DoorRelay));
                _forcedOpen = contact.Forced;
                EventBus.Publish(contact);
                break;
            case (InputKind.DoorContact, InputGesture.Deactivated):
                _heldOpen = false;
                _forcedOpen = false;
                EventBus.Publish(new DoorContactChanged(Open: false, ElectricRelease: _board.IsRelayEnergised(_config.DoorRelay)));
                RefreshLeds();
                break;
            case (InputKind.Tamper, InputGesture.Activated):
                _tamper = true;
                EventBus.Publish(new TamperChanged(Active: true));
                RefreshLeds();
                break;
            case (InputKind.Tamper, InputGesture.Deactivated):
                _tamper = false;
                EventBus.Publish(new TamperChanged(Active: false));
                RefreshLeds();
                break;
        }
    }

    private void UpdateState()
    {
        var state = StationCallState.Idle;
        if (_incoming is not null)
        {
            state = StationCallState.InCall;
        }
        else if (_outgoing is { IsActive: true } call)
        {
            state = call.IsRinging ? StationCallState.Calling : StationCallState.InCall;
        }

        var changed = _state != state;
        _state = state;
        RefreshLeds();
        if (changed)
        {
            EventBus.Publish(new StationCallStateChanged(state));
            CallStateChanged?.Invoke(this, state);
        }
    }

    private void RefreshLeds()
    {
        _board.SetLed(StatusLedKind.Calling, _state == StationCallState.Calling ? LedState.Blink : LedState.Off);
        _board.SetLed(StatusLedKind.InCall, _state == StationCallState.InCall ? LedState.On : LedState.Off);
        _board.SetLed(StatusLedKind.DoorOpen, _board.IsRelayEnergised(_config.DoorRelay) ? LedState.On : LedState.Off);
        _board.SetLed(StatusLedKind.Registered, _registered == RegistrationState.Registered ? LedState.On : LedState.Off);
        _board.SetLed(StatusLedKind.Fault, _tamper || _registered == RegistrationState.NotRegistered ? LedState.On : _heldOpen ? LedState.Blink : LedState.Off);
    }

    private enum RegistrationState
    {
        Unknown,
        Registered,
        NotRegistered,
    }
}

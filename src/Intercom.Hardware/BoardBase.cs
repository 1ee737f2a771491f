namespace Intercom.Hardware;

/// <summary>
/// What every board does the same way, whatever drives the pins: relay pulse limits, LED blinking, door-held-open
/// supervision and event raising. <see cref="GpioBoard"/> and <see cref="SimulatedBoard"/> supply the pins.
/// </summary>
public abstract class BoardBase : IBoard
{
    private static readonly TimeSpan BlinkHalfPeriod = TimeSpan.FromMilliseconds(500);
    private static readonly int LedCount = Enum.GetValues<StatusLedKind>().Length;

    private readonly Lock _gate = new();
    private readonly List<PulsedRelay> _relays = [];
    private readonly List<string> _relayIds = [];
    private readonly LedState[] _leds = new LedState[LedCount];
    private readonly ITimer _blinkTimer;
    private readonly ITimer _heldOpenTimer;
    private bool _blinkRunning;
    private bool _blinkPhase;
    private bool _doorOpen;
    private bool _tamper;
    private int _disposed;

    private protected BoardBase(BoardLayout layout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(time);
        Layout = layout;
        Time = time;
        _blinkTimer = time.CreateTimer(static s => ((BoardBase)s!).OnBlink(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _heldOpenTimer = time.CreateTimer(static s => ((BoardBase)s!).OnHeldOpen(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc/>
    public event EventHandler<BoardInputEventArgs>? InputChanged;

    /// <inheritdoc/>
    public event EventHandler<KeypadKeyEventArgs>? KeyPressed;

    /// <inheritdoc/>
    public event EventHandler<RelayChangedEventArgs>? RelayChanged;

    /// <inheritdoc/>
    public event EventHandler? DoorHeldOpen;

    /// <summary>What this board was built from.</summary>
    public BoardLayout Layout { get; }

    /// <summary>The clock for pulses, blinking and supervision.</summary>
    protected TimeProvider Time { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> RelayIds => _relayIds;

    /// <inheritdoc/>
    public bool IsDoorOpen
    {
        get { lock (_gate) { return _doorOpen; } }
    }

    /// <inheritdoc/>
    public bool IsTamperActive
    {
        get { lock (_gate) { return _tamper; } }
    }

    /// <inheritdoc/>
    public abstract bool IsInputActive(InputKind kind, string inputId);

    /// <inheritdoc/>
    public bool OpenRelay(string relayId, TimeSpan? duration = null)
    {
        var relay = Find(relayId);
        return relay is not null && relay.Pulse(duration);
    }

    /// <inheritdoc/>
    public bool IsRelayEnergised(string relayId) => Find(relayId)?.IsEnergised ?? false;

    /// <inheritdoc/>
    public bool HoldRelay(string relayId, TimeSpan? duration = null)
    {
        var relay = Find(relayId);
        return relay is not null && relay.Hold(duration);
    }

    /// <inheritdoc/>
    public bool ReleaseRelay(string relayId)
    {
        if (Find(relayId) is not { } relay)
        {
            return false;
        }

        relay.Release();
        return true;
    }

    /// <inheritdoc/>
    public bool IsRelayHeld(string relayId) => Find(relayId)?.IsHeld ?? false;

    /// <inheritdoc/>
    public void SetLed(StatusLedKind led, LedState state)
    {
        var index = (int)led;
        if ((uint)index >= (uint)LedCount)
        {
            return;
        }

        bool startBlink = false;
        lock (_gate)
        {
            if (_leds[index] == state || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            _leds[index] = state;
            if (state == LedState.Blink && !_blinkRunning)
            {
                _blinkRunning = true;
                _blinkPhase = true;
                startBlink = true;
            }
        }

        DriveLed(led, state == LedState.On || (state == LedState.Blink && BlinkPhase()));
        if (startBlink)
        {
            _blinkTimer.Change(BlinkHalfPeriod, BlinkHalfPeriod);
        }
    }

    /// <inheritdoc/>
    public LedState GetLed(StatusLedKind led)
    {
        lock (_gate)
        {
            return (uint)led < (uint)LedCount ? _leds[(int)led] : LedState.Off;
        }
    }

    /// <inheritdoc/>
    public void ReleaseAll()
    {
        // Snapshot without the board lock: relays have their own, and this must never wait on an event handler.
        PulsedRelay[] relays;
        lock (_gate)
        {
            relays = [.. _relays];
        }

        foreach (var relay in relays)
        {
            relay.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases every relay, stops timers, turns LEDs off; derived boards then close their pins.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _blinkTimer.Dispose();
        _heldOpenTimer.Dispose();
        PulsedRelay[] relays;
        lock (_gate)
        {
            relays = [.. _relays];
        }

        foreach (var relay in relays)
        {
            relay.Dispose();
        }

        for (var i = 0; i < LedCount; i++)
        {
            DriveLed((StatusLedKind)i, false);
        }
    }

    /// <summary>Adds a relay; it is driven to its inactive level immediately.</summary>
    private protected void AddRelay(RelayLayout layout, IRelayLine line)
    {
        // Released on a thread of their own (RelayTimerThread): a busy thread pool must not hold a door open.
        var relay = new PulsedRelay(layout, line, RelayTimerThread.For(Time));
        relay.Changed += OnRelayChanged;
        lock (_gate)
        {
            _relays.Add(relay);
            _relayIds.Add(layout.Id);
        }
    }

    /// <summary>The layout's input of this kind and id, or null.</summary>
    private protected InputPinLayout? FindInput(InputKind kind, string inputId)
    {
        foreach (var input in Layout.Inputs)
        {
            if (input.Kind == kind && string.Equals(input.Id, inputId, StringComparison.Ordinal))
            {
                return input;
            }
        }

        return null;
    }

    /// <summary>True once <see cref="Dispose()"/> has begun.</summary>
    private protected bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Lights or darkens an LED output (no-op when not fitted).</summary>
    private protected abstract void DriveLed(StatusLedKind led, bool lit);

    /// <summary>Reports an input change; tracks the door and tamper state and supervises the door.</summary>
    private protected void OnInput(InputKind kind, string inputId, InputGesture gesture)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var active = gesture == InputGesture.Activated;
        if (kind == InputKind.DoorContact && gesture is InputGesture.Activated or InputGesture.Deactivated)
        {
            lock (_gate)
            {
                _doorOpen = active;
            }

            _heldOpenTimer.Change(active ? Layout.DoorHeldOpenLimit : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        else if (kind == InputKind.Tamper && gesture is InputGesture.Activated or InputGesture.Deactivated)
        {
            lock (_gate)
            {
                _tamper = active;
            }
        }

        InputChanged?.Invoke(this, new BoardInputEventArgs(kind, inputId, gesture, Time.GetUtcNow()));
    }

    /// <summary>Reports a keypad key.</summary>
    private protected void OnKey(char key)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            KeyPressed?.Invoke(this, new KeypadKeyEventArgs(key, Time.GetUtcNow()));
        }
    }

    private PulsedRelay? Find(string relayId)
    {
        lock (_gate)
        {
            foreach (var relay in _relays)
            {
                if (string.Equals(relay.Layout.Id, relayId, StringComparison.Ordinal))
                {
                    return relay;
                }
            }
        }

        return null;
    }

    private void OnRelayChanged(PulsedRelay relay, bool energised)
    {
        RelayChanged?.Invoke(this, new RelayChangedEventArgs(relay.Layout.Id, energised, Time.GetUtcNow()));
    }

    private bool BlinkPhase()
    {
        lock (_gate)
        {
            return _blinkPhase;
        }
    }

    private void OnBlink()
    {
        Span<bool> blinking = stackalloc bool[LedCount];
        bool phase;
        lock (_gate)
        {
            var any = false;
            for (var i = 0; i < LedCount; i++)
            {
                blinking[i] = _leds[i] == LedState.Blink;
                any |= blinking[i];
            }

            if (_disposed != 0)
            {
                return;
            }

            if (!any)
            {
                _blinkRunning = false;
                _blinkTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            _blinkPhase = !_blinkPhase;
            phase = _blinkPhase;
        }

        for (var i = 0; i < LedCount; i++)
        {
            if (blinking[i])
            {
                DriveLed((StatusLedKind)i, phase);
            }
        }
    }

    private void OnHeldOpen()
    {
        if (IsDoorOpen && Volatile.Read(ref _disposed) == 0)
        {
            DoorHeldOpen?.Invoke(this, EventArgs.Empty);
        }
    }
}

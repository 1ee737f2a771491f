namespace Intercom.Hardware;

/// <summary>
/// Relay timing shared by every board: an open command energises the relay for the pulse time; a repeated command
/// extends the pulse but never past <c>Maximum</c> counted from when the relay was energised. After being cut off
/// at the maximum, the relay rests for one pulse time before it accepts another open (a held "open" button or a
/// replayed DTMF code cannot keep a strike energised, which overheats coils and leaves doors unlocked).
/// <para>
/// A hold (<see cref="Hold"/>) is the one energising the maximum does not bound: an explicit command (a shop's door
/// during its opening hours, "unlock for 30 minutes") for a relay configured for it. It lasts until <see cref="Release"/>
/// or, when given a duration, until then (ended by this relay's own timer, as a pulse is). A pulse during a hold keeps the
/// relay energised, at least for the pulse. Every release path (<see cref="Release"/>, dispose, the board's ReleaseAll at
/// exit) ends a hold as it ends a pulse.
/// </para>
/// Thread-safe: commands come from the station, timers from <see cref="RelayTimerThread"/> (or a test's fake clock),
/// <see cref="Release"/> from any thread.
/// </summary>
internal sealed class PulsedRelay : IDisposable
{
    private readonly Lock _gate = new();
    private readonly IRelayLine _line;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private bool _energised;
    private bool _held;
    private bool _disposed;
    private DateTimeOffset _energisedAt;
    private DateTimeOffset _releaseAt;
    private DateTimeOffset _wantedUntil;
    private DateTimeOffset _restUntil;

    public PulsedRelay(RelayLayout layout, IRelayLine line, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Pulse <= TimeSpan.Zero || layout.Maximum < layout.Pulse)
        {
            throw new ArgumentException($"relay {layout.Id}: pulse must be positive and not above the maximum", nameof(layout));
        }

        Layout = layout;
        _line = line;
        _time = time;
        _timer = time.CreateTimer(static s => ((PulsedRelay)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Released at start: whatever state a previous process left, the door is locked now.
        _line.Drive(false);
    }

    public RelayLayout Layout { get; }

    /// <summary>Raised (outside the lock) when the relay is energised (true) or released (false).</summary>
    public event Action<PulsedRelay, bool>? Changed;

    public bool IsEnergised
    {
        get { lock (_gate) { return _energised; } }
    }

    /// <summary>True while energised by <see cref="Hold"/> (not by a pulse).</summary>
    public bool IsHeld
    {
        get { lock (_gate) { return _held; } }
    }

    /// <summary>
    /// Energises and keeps the relay energised, past the maximum: until <see cref="Release"/> (null), or for
    /// <paramref name="duration"/> from now. Holding a held relay again replaces its end. Not refused by the rest after a
    /// cut-off (a hold is deliberate, never a repeated open).
    /// </summary>
    /// <returns>False when disposed or the duration is not positive.</returns>
    public bool Hold(TimeSpan? duration)
    {
        if (duration is { } length && length <= TimeSpan.Zero)
        {
            return false;
        }

        bool raised = false;
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            var now = _time.GetUtcNow();
            if (!_energised)
            {
                _energised = true;
                _energisedAt = now;
                _line.Drive(true);
                raised = true;
            }

            _held = true;
            _wantedUntil = now;
            if (duration is { } d)
            {
                _releaseAt = now + d;
                _timer.Change(d, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _releaseAt = DateTimeOffset.MaxValue;
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        if (raised)
        {
            Changed?.Invoke(this, true);
        }

        return true;
    }

    /// <summary>Energises for <paramref name="duration"/> (default: the configured pulse), capped by the maximum.</summary>
    /// <returns>False when refused (disposed, or resting after a cut-off).</returns>
    public bool Pulse(TimeSpan? duration = null)
    {
        var length = duration ?? Layout.Pulse;
        if (length <= TimeSpan.Zero)
        {
            return false;
        }

        bool raised = false;
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            var now = _time.GetUtcNow();
            if (_held)
            {
                // Energised already; a timed hold that ends sooner than this pulse lasts at least for the pulse.
                var pulseEnd = now + (length < Layout.Maximum ? length : Layout.Maximum);
                if (_releaseAt != DateTimeOffset.MaxValue && pulseEnd > _releaseAt)
                {
                    _releaseAt = pulseEnd;
                    _timer.Change(pulseEnd - now, Timeout.InfiniteTimeSpan);
                }

                return true;
            }

            if (!_energised)
            {
                if (now < _restUntil)
                {
                    return false;
                }

                _energised = true;
                _energisedAt = now;
                _releaseAt = now;
                _wantedUntil = now;
                _line.Drive(true);
                raised = true;
            }

            var hardEnd = _energisedAt + Layout.Maximum;
            var wanted = now + (length < Layout.Maximum ? length : Layout.Maximum);
            var end = wanted < hardEnd ? wanted : hardEnd;
            if (wanted > _wantedUntil)
            {
                _wantedUntil = wanted;
            }

            if (end > _releaseAt)
            {
                _releaseAt = end;
                _timer.Change(end - now, Timeout.InfiniteTimeSpan);
            }
        }

        if (raised)
        {
            Changed?.Invoke(this, true);
        }

        return true;
    }

    /// <summary>Drives the relay inactive now. Safe from any thread at any time, also after dispose.</summary>
    public void Release()
    {
        bool raised;
        lock (_gate)
        {
            raised = ReleaseLocked(cutOff: false);
        }

        if (raised)
        {
            Changed?.Invoke(this, false);
        }
    }

    public void Dispose()
    {
        Release();
        lock (_gate)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }

    private void OnTimer()
    {
        bool raised = false;
        lock (_gate)
        {
            // A callback can race with an extension that moved the end further out, and a system timer can fire a little
            // before the wall clock reaches the end: only release when due, and otherwise wait again for the rest —
            // returning without re-arming would leave the door unlocked for good.
            var now = _time.GetUtcNow();
            if (_energised && now >= _releaseAt)
            {
                raised = ReleaseLocked(cutOff: !_held && _wantedUntil > _releaseAt);
            }
            else if (_energised && _releaseAt != DateTimeOffset.MaxValue)
            {
                // (An indefinite hold has no end to wait for: a stale callback after it began does nothing.)
                var rest = _releaseAt - now;
                _timer.Change(rest > TimeSpan.FromMilliseconds(1) ? rest : TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
            }
        }

        if (raised)
        {
            Changed?.Invoke(this, false);
        }
    }

    private bool ReleaseLocked(bool cutOff)
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Always drive the line, even when we believe it is released: this is the exit path.
        _line.Drive(false);
        _held = false;
        if (!_energised)
        {
            return false;
        }

        _energised = false;
        if (cutOff)
        {
            // Counted from the scheduled release, not from when the timer thread got to run.
            _restUntil = _releaseAt + Layout.Pulse;
        }

        return true;
    }
}

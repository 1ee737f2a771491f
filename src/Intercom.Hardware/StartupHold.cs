namespace Intercom.Hardware;

/// <summary>
/// A deliberate gesture on one input at start, told apart from a stuck input: the input is held when the station starts,
/// stays held for <see cref="MinimumHold"/> (10 s) and is then let go, before <see cref="StuckAfter"/> (60 s after the
/// start). The release is what proves a person. A shorted wire or a jammed button reads "held" for ever, so it never
/// completes the gesture (<see cref="StartupHoldState.Stuck"/>), at this start or any later one; a button pressed after
/// the start is no gesture at all (<see cref="StartupHoldState.NotHeld"/>). The physical reset of the web page's admin
/// password is this gesture on the exit button (docs/security.md).
/// <para>
/// The input is read every <see cref="PollInterval"/> through <see cref="IBoard.IsInputActive"/>: boards report no press
/// for a hold that began before the start, so there are no events to wait for. A release counts once it has lasted
/// <see cref="ReleaseSettle"/>; shorter gaps (contact bounce) neither end the hold nor complete it. The gesture is
/// complete when the release began after a read had seen the input held for <see cref="MinimumHold"/>
/// (<see cref="StartupHoldState.Armed"/>). Nothing here drives an output.
/// </para>
/// </summary>
public sealed class StartupHold : IDisposable
{
    /// <summary>How long the input must be held from the start before letting go completes the gesture.</summary>
    public static readonly TimeSpan MinimumHold = TimeSpan.FromSeconds(10);

    /// <summary>Still held this long after the start: a stuck input, not a person; the gesture is off for this run.</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(60);

    /// <summary>A release counts once the input has read inactive this long.</summary>
    public static readonly TimeSpan ReleaseSettle = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the input is read while the gesture is undecided.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly IBoard _board;
    private readonly InputKind _kind;
    private readonly string _inputId;
    private readonly TimeProvider _time;
    private readonly Action<StartupHoldState> _changed;
    private readonly long _start;
    private readonly ITimer? _timer;
    private long? _releasedAt;
    private bool _disposed;
    private volatile StartupHoldState _state;

    private StartupHold(IBoard board, InputKind kind, string inputId, TimeProvider time, Action<StartupHoldState> changed)
    {
        _board = board;
        _kind = kind;
        _inputId = inputId;
        _time = time;
        _changed = changed;
        _start = time.GetTimestamp();
        if (!board.IsInputActive(kind, inputId))
        {
            Report(StartupHoldState.NotHeld);
            return;
        }

        Report(StartupHoldState.Holding);
        _timer = time.CreateTimer(static s => ((StartupHold)s!).Tick(), this, PollInterval, PollInterval);
    }

    /// <summary>Where the gesture stands.</summary>
    public StartupHoldState State => _state;

    /// <summary>True once the gesture is decided (every state but <see cref="StartupHoldState.Holding"/> and <see cref="StartupHoldState.Armed"/>).</summary>
    public bool IsDecided => _state is not (StartupHoldState.Holding or StartupHoldState.Armed);

    /// <summary>
    /// Reads the input now, as the station's start, and watches it until the gesture is decided.
    /// <paramref name="changed"/> is called with every state, the first one (<see cref="StartupHoldState.NotHeld"/> or
    /// <see cref="StartupHoldState.Holding"/>) before this returns, the others on a timer thread, one at a time.
    /// </summary>
    public static StartupHold Watch(IBoard board, InputKind kind, string inputId, TimeProvider time, Action<StartupHoldState> changed)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(inputId);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(changed);
        return new StartupHold(board, kind, inputId, time, changed);
    }

    /// <summary>Stops watching: an undecided gesture is never completed.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    private void Tick()
    {
        // A tick that finds the previous one still running is skipped: the next one reads the input again.
        if (!_gate.TryEnter())
        {
            return;
        }

        try
        {
            if (!_disposed && !IsDecided)
            {
                Step();
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void Step()
    {
        var now = _time.GetTimestamp();
        if (_board.IsInputActive(_kind, _inputId))
        {
            _releasedAt = null;
            var held = _time.GetElapsedTime(_start, now);
            if (_state == StartupHoldState.Holding && held >= MinimumHold)
            {
                Report(StartupHoldState.Armed);
            }
            else if (_state == StartupHoldState.Armed && held >= StuckAfter)
            {
                Decide(StartupHoldState.Stuck);
            }

            return;
        }

        _releasedAt ??= now;
        if (_time.GetElapsedTime(_releasedAt.Value, now) >= ReleaseSettle)
        {
            Decide(_state == StartupHoldState.Armed ? StartupHoldState.Completed : StartupHoldState.ReleasedEarly);
        }
    }

    private void Decide(StartupHoldState state)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Report(state);
    }

    private void Report(StartupHoldState state)
    {
        _state = state;
        _changed(state);
    }
}

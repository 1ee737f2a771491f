namespace Intercom.Sip.Core;

/// <summary>
/// A one-shot timer whose callback runs on the <see cref="SipLoop"/>. Created, restarted and cancelled only on the loop,
/// so a cancelled timer never fires even if the underlying <see cref="ITimer"/> already queued its tick.
/// </summary>
public sealed class SipTimer : IDisposable
{
    private readonly SipLoop _loop;
    private readonly Action<object?> _callback;
    private readonly object? _state;
    private ITimer? _timer;

    // Bumped on every Start/Cancel: a tick carrying an older generation is stale and ignored (RFC 3261 timers are
    // cancelled on state changes and a stale retransmission would be a protocol error).
    private int _generation;

    internal SipTimer(SipLoop loop, Action<object?> callback, object? state)
    {
        _loop = loop;
        _callback = callback;
        _state = state;
    }

    /// <summary>True while the timer is armed and has not fired.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>Arms (or re-arms) the timer to fire once after <paramref name="due"/>.</summary>
    public void Start(TimeSpan due)
    {
        _generation++;
        IsRunning = true;
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }

        if (_timer is null)
        {
            _timer = _loop.TimeProvider.CreateTimer(static s => ((SipTimer)s!).OnTick(), this, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Disarms the timer; a pending tick is discarded.</summary>
    public void Cancel()
    {
        _generation++;
        IsRunning = false;
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Cancel();
        _timer?.Dispose();
        _timer = null;
    }

    // Runs on a timer thread (or the test thread with FakeTimeProvider): only hands the tick to the loop.
    private void OnTick() => _loop.PostTimerTick(this, Volatile.Read(ref _generation));

    internal void Fire(int generation)
    {
        if (generation != _generation || !IsRunning)
        {
            return;
        }

        IsRunning = false;
        _callback(_state);
    }
}

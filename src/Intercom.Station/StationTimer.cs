namespace Intercom.Station;

/// <summary>
/// A one-shot timer whose callback runs on the <see cref="StationLoop"/>. A fire that was already queued when the
/// timer was stopped or re-armed is dropped, so callbacks never act on a state that has moved on.
/// </summary>
internal sealed class StationTimer : IDisposable
{
    private readonly StationLoop _loop;
    private readonly TimeProvider _time;
    private readonly Action _callback;
    private readonly ITimer _timer;
    private long _generation;
    private bool _armed;

    public StationTimer(StationLoop loop, TimeProvider time, Action callback)
    {
        _loop = loop;
        _time = time;
        _callback = callback;
        _timer = time.CreateTimer(static s => ((StationTimer)s!).OnFire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True between <see cref="Start"/> and the callback or <see cref="Stop"/>. Loop thread only.</summary>
    public bool IsArmed => _armed;

    /// <summary>(Re)arms the timer. Loop thread only.</summary>
    public void Start(TimeSpan due)
    {
        Interlocked.Increment(ref _generation);
        _armed = true;
        _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Disarms the timer. Loop thread only.</summary>
    public void Stop()
    {
        Interlocked.Increment(ref _generation);
        _armed = false;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        _armed = false;
        _timer.Dispose();
    }

    private void OnFire()
    {
        var generation = Interlocked.Read(ref _generation);
        _loop.Post(() =>
        {
            if (_armed && Interlocked.Read(ref _generation) == generation)
            {
                _armed = false;
                _callback();
            }
        });
    }
}

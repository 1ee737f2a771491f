using System.Diagnostics;

namespace Intercom.Hardware;

/// <summary>
/// The system clock, with timers that fire on one dedicated thread instead of the thread pool, for the relays' release.
/// A pool timer's callback waits for a free pool thread; with the pool's threads blocked, .NET adds threads only about
/// twice a second, and a CI run measured a 1 s door pulse that lasted 2,014 ms. Here nothing else runs on the thread, so a
/// release is late only by the scheduler. Callbacks must be short (drive a line, raise an event); an exception in one
/// ends the process, as it would on the pool, and the next start releases every relay.
/// </summary>
internal sealed class RelayTimerThread : TimeProvider
{
    /// <summary>The one thread for the process (relays of every board share it).</summary>
    public static readonly RelayTimerThread Instance = new();

    private readonly object _gate = new();
    private readonly PriorityQueue<(Timer Timer, long Generation), long> _due = new();
    private Thread? _thread;

    private RelayTimerThread()
    {
    }

    /// <summary><paramref name="time"/> itself, unless it is the system clock: then this. A fake clock (tests) drives its own timers.</summary>
    public static TimeProvider For(TimeProvider time) => ReferenceEquals(time, System) ? Instance : time;

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    // Under _gate. A changed or disposed timer leaves its old entry in the queue, skipped by generation when it comes up.
    private void Schedule(Timer timer, long dueTimestamp)
    {
        _due.Enqueue((timer, timer.Generation), dueTimestamp);
        if (_thread is null)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "relay-timer", Priority = ThreadPriority.AboveNormal };
            _thread.Start();
        }

        Monitor.Pulse(_gate);
    }

    private void Run()
    {
        var fire = new List<Timer>();
        while (true)
        {
            lock (_gate)
            {
                while (true)
                {
                    var now = Stopwatch.GetTimestamp();
                    while (_due.TryPeek(out var entry, out var at) && (entry.Generation != entry.Timer.Generation || at <= now))
                    {
                        _due.Dequeue();
                        if (entry.Generation == entry.Timer.Generation)
                        {
                            fire.Add(entry.Timer);
                            entry.Timer.Fired(at);
                        }
                    }

                    if (fire.Count > 0)
                    {
                        break;
                    }

                    var wait = _due.TryPeek(out _, out var next)
                        ? (int)Math.Clamp(Math.Ceiling(Stopwatch.GetElapsedTime(now, next).TotalMilliseconds), 1, int.MaxValue)
                        : Timeout.Infinite;
                    Monitor.Wait(_gate, wait);
                }
            }

            foreach (var timer in fire)
            {
                timer.Invoke();
            }

            fire.Clear();
        }
    }

    private sealed class Timer(RelayTimerThread owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        // Under owner._gate.
        public long Generation { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (_disposed)
                {
                    return false;
                }

                Generation++;
                _period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    var due = dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime;
                    owner.Schedule(this, Stopwatch.GetTimestamp() + (long)(due.TotalSeconds * Stopwatch.Frequency));
                }

                return true;
            }
        }

        // Under owner._gate, as the thread takes it from the queue: a periodic timer is queued again from its due time.
        public void Fired(long at)
        {
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                owner._due.Enqueue((this, Generation), at + (long)(_period.TotalSeconds * Stopwatch.Frequency));
            }
        }

        public void Invoke() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                _disposed = true;
                Generation++;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

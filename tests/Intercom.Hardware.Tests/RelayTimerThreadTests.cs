using System.Collections.Concurrent;
using System.Diagnostics;

namespace Intercom.Hardware.Tests;

/// <summary>The relays' own timer thread: real time, so each wait is bounded and each test ends when its timers have fired.</summary>
public sealed class RelayTimerThreadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_timer_fires_on_the_relay_thread_not_on_the_thread_pool()
    {
        var fired = new TaskCompletionSource<(string? Name, bool Pool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = RelayTimerThread.Instance.CreateTimer(
            _ => fired.TrySetResult((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread)), null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);

        var (name, pool) = await fired.Task.WaitAsync(Bound);
        Assert.Equal("relay-timer", name);
        Assert.False(pool);
    }

    [Fact]
    public async Task Timers_fire_in_the_order_they_are_due_and_a_stopped_or_disposed_one_not_at_all()
    {
        var order = new ConcurrentQueue<string>();
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Each timer is due at a fixed instant after one origin, a second ahead, however long creating the others took:
        // a timer's due time counts from its own creation, so on a loaded machine (a CPU hog beside the suite) a pause
        // between two creations once put "second" after "third". The lead absorbs pauses of up to a second.
        var origin = Stopwatch.StartNew();
        TimeSpan At(int ms) => TimeSpan.FromMilliseconds(1000 + ms) - origin.Elapsed;
        ITimer Make(string name, int dueMs) => RelayTimerThread.Instance.CreateTimer(_ =>
        {
            order.Enqueue(name);
            if (name == "last")
            {
                last.TrySetResult();
            }
        }, null, At(dueMs), Timeout.InfiniteTimeSpan);

        using var third = Make("third", 60);
        using var first = Make("first", 20);
        using var stopped = Make("stopped", 30);
        var disposed = Make("disposed", 30);
        using var second = Make("second", 40);
        using var moved = Make("moved", 10);
        using var lastTimer = Make("last", 120);
        stopped.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await disposed.DisposeAsync();
        moved.Change(At(80), Timeout.InfiniteTimeSpan); // re-armed: its 10 ms entry is void

        await last.Task.WaitAsync(Bound);
        Assert.Equal(["first", "second", "third", "moved", "last"], order.ToArray());
    }

    [Fact]
    public async Task A_periodic_timer_keeps_firing_until_disposed()
    {
        var ticks = 0;
        var five = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timer = RelayTimerThread.Instance.CreateTimer(_ =>
        {
            if (Interlocked.Increment(ref ticks) == 5)
            {
                five.TrySetResult();
            }
        }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(5));

        await five.Task.WaitAsync(Bound);
        timer.Dispose();
        Assert.False(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void Only_the_system_clock_is_replaced()
    {
        var fake = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        Assert.Same(fake, RelayTimerThread.For(fake));
        Assert.Same(RelayTimerThread.Instance, RelayTimerThread.For(TimeProvider.System));
    }
}

/// <summary>
/// A door pulse while every thread-pool thread is blocked: the relay is still released on time. Alone in its collection,
/// because it starves the pool for everyone else in the process while it runs.
/// </summary>
[Collection(nameof(PoolStarvationCollection))]
public sealed class RelayReleaseUnderPoolStarvationTests
{
    [Fact]
    public void A_pulse_ends_on_time_while_the_thread_pool_is_blocked()
    {
        using var board = new SimulatedBoard(new BoardLayout
        {
            Relays = [new RelayLayout("door", 23, false, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10))],
        }, TimeProvider.System);
        // Waited for without the pool: the test's own wait must not need a pool thread either.
        using var released = new ManualResetEventSlim();
        long releasedAt = 0;
        board.RelayChanged += (_, e) =>
        {
            if (!e.Energised)
            {
                Volatile.Write(ref releasedAt, Stopwatch.GetTimestamp());
                released.Set();
            }
        };

        // More blocked work items than the pool has threads: a pool timer's callback would wait for the pool to inject a
        // thread for each of the 16 surplus items first (a few per second).
        // Not disposed: blocked items that the pool starts only after the test has ended still wait on it (and pass at once).
        var unblock = new ManualResetEventSlim();
        var blocked = ThreadPool.ThreadCount + 16;
        for (var i = 0; i < blocked; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static e => e.Wait(TimeSpan.FromSeconds(30)), unblock, preferLocal: false);
        }

        try
        {
            var opened = Stopwatch.GetTimestamp();
            Assert.True(board.OpenRelay("door"));
            Assert.True(released.Wait(TimeSpan.FromSeconds(10)), "the relay was not released within 10 s");
            var pulse = Stopwatch.GetElapsedTime(opened, Volatile.Read(ref releasedAt));
            Assert.InRange(pulse.TotalMilliseconds, 190, 450);
        }
        finally
        {
            unblock.Set();
        }
    }
}

[CollectionDefinition(nameof(PoolStarvationCollection), DisableParallelization = true)]
public sealed class PoolStarvationCollection;

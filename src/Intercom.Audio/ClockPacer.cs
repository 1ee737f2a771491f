namespace Intercom.Audio;

/// <summary>
/// Paces a device thread by the clock (<see cref="TimeProvider"/>) when the device itself does not block: the null and
/// WAV devices, ALSA's "null" plugin in tests, and the frames delivered while a card is unplugged. Deadlines are absolute
/// (start + n × period), so waking late never accumulates drift; more than a few periods behind, it re-anchors instead of bursting.
/// <para>
/// On the system clock the thread sleeps in one kernel wait with a timeout: one wake-up per period. A TimeProvider timer
/// costs three (the timer thread, a thread-pool worker running the callback, then this thread) plus the semaphore's
/// spinning; with two devices that was most of a call's CPU (tests/Intercom.Benchmarks/StationVsBaresip). Any other
/// TimeProvider (FakeTimeProvider in tests) keeps the timer, so fake time still drives the devices.
/// </para>
/// </summary>
internal sealed class ClockPacer : IDisposable
{
    private const int MaxPeriodsBehind = 5;

    private readonly TimeProvider time;
    private readonly ITimer? timer;
    private readonly SemaphoreSlim? wake;
    private readonly ManualResetEventSlim? cancelledEvent;
    private long nextDeadline;
    private bool anchored;
    private volatile bool cancelled;

    public ClockPacer(TimeProvider time)
    {
        this.time = time;
        if (ReferenceEquals(time, TimeProvider.System))
        {
            // No spinning before the wait: the thread has nothing to do until its deadline.
            cancelledEvent = new ManualResetEventSlim(false, spinCount: 0);
        }
        else
        {
            wake = new SemaphoreSlim(0, int.MaxValue);
            timer = time.CreateTimer(static state => ((ClockPacer)state!).Release(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Forgets the schedule; the next <see cref="WaitPeriod"/> starts a new one from now.</summary>
    public void Reset() => anchored = false;

    /// <summary>Waits until one more <paramref name="period"/> has elapsed since the previous deadline. False once cancelled.</summary>
    public bool WaitPeriod(TimeSpan period)
    {
        var now = time.GetTimestamp();
        var periodTicks = (long)(period.TotalSeconds * time.TimestampFrequency);
        if (!anchored || now - nextDeadline > MaxPeriodsBehind * periodTicks)
        {
            nextDeadline = now;
            anchored = true;
        }

        nextDeadline += periodTicks;
        return WaitUntil(nextDeadline);
    }

    /// <summary>Wakes the waiting thread for good (stop).</summary>
    public void Cancel()
    {
        cancelled = true;
        Release();
    }

    public void Dispose()
    {
        timer?.Dispose();
        wake?.Dispose();
        cancelledEvent?.Dispose();
    }

    private bool WaitUntil(long deadline) => cancelledEvent is not null ? SleepUntil(deadline, cancelledEvent) : WaitForTimer(deadline);

    private bool SleepUntil(long deadline, ManualResetEventSlim cancel)
    {
        while (!cancelled)
        {
            var remaining = deadline - time.GetTimestamp();
            if (remaining <= 0)
            {
                return true;
            }

            // Rounded up to whole milliseconds: waking a little late is absorbed by the absolute deadlines, waking early
            // would spin through zero-length waits.
            var milliseconds = (int)Math.Min(int.MaxValue, (remaining * 1000 + time.TimestampFrequency - 1) / time.TimestampFrequency);
            try
            {
                cancel.Wait(milliseconds);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        return false;
    }

    private bool WaitForTimer(long deadline)
    {
        while (!cancelled)
        {
            var remaining = deadline - time.GetTimestamp();
            if (remaining <= 0)
            {
                return true;
            }

            timer!.Change(TimeSpan.FromSeconds((double)remaining / time.TimestampFrequency), Timeout.InfiniteTimeSpan);

            // The clock may have moved between reading it and arming the timer (the timer then counts from the later instant):
            // look again before sleeping, or that wake-up could come a whole step late.
            if (time.GetTimestamp() >= deadline)
            {
                return !cancelled;
            }

            // A release left over from an earlier deadline only costs one more turn of the loop, which re-checks the clock.
            wake!.Wait();
        }

        return false;
    }

    private void Release()
    {
        try
        {
            cancelledEvent?.Set();
            wake?.Release();
        }
        catch (ObjectDisposedException)
        {
            // A timer callback racing with Dispose at shutdown: nobody waits any more.
        }
    }
}

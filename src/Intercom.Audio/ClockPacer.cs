namespace Intercom.Audio;

/// <summary>
/// Paces a device thread by the clock (<see cref="TimeProvider"/>) when the device itself does not block: the null and
/// WAV devices, ALSA's "null" plugin in tests, and the frames delivered while a card is unplugged. Deadlines are absolute
/// (start + n × period), so waking late never accumulates drift; more than a few periods behind, it re-anchors instead of bursting.
/// </summary>
internal sealed class ClockPacer : IDisposable
{
    private const int MaxPeriodsBehind = 5;

    private readonly TimeProvider time;
    private readonly ITimer timer;
    private readonly SemaphoreSlim wake = new(0, int.MaxValue);
    private long nextDeadline;
    private bool anchored;
    private volatile bool cancelled;

    public ClockPacer(TimeProvider time)
    {
        this.time = time;
        timer = time.CreateTimer(static state => ((ClockPacer)state!).Release(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
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
        timer.Dispose();
        wake.Dispose();
    }

    private bool WaitUntil(long deadline)
    {
        while (!cancelled)
        {
            var remaining = deadline - time.GetTimestamp();
            if (remaining <= 0)
            {
                return true;
            }

            timer.Change(TimeSpan.FromSeconds((double)remaining / time.TimestampFrequency), Timeout.InfiniteTimeSpan);

            // The clock may have moved between reading it and arming the timer (the timer then counts from the later instant):
            // look again before sleeping, or that wake-up could come a whole step late.
            if (time.GetTimestamp() >= deadline)
            {
                return !cancelled;
            }

            // A release left over from an earlier deadline only costs one more turn of the loop, which re-checks the clock.
            wake.Wait();
        }

        return false;
    }

    private void Release()
    {
        try
        {
            wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // A timer callback racing with Dispose at shutdown: nobody waits any more.
        }
    }
}

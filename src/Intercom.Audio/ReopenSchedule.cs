namespace Intercom.Audio;

/// <summary>
/// When to try a missing device again: 250 ms after it is lost, then after each failed open twice as long, up to 5 s, so an
/// unplugged USB card costs little while it is away and is back within seconds once plugged in. A device that takes no
/// audio for 2 s counts as lost too. One per device thread; not thread-safe.
/// </summary>
internal sealed class ReopenSchedule(TimeProvider time)
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(2);

    private TimeSpan backoff = MinBackoff;
    private int failures;
    private long nextAttempt;
    private long stalledSince;

    /// <summary>Failed opens since the device last worked: the first is worth a warning, the rest only a debug line.</summary>
    public int Failures => failures;

    /// <summary>Whether an open may be tried now.</summary>
    public bool Due => time.GetTimestamp() >= nextAttempt;

    /// <summary>The device opened: the next loss starts again from the shortest wait.</summary>
    public void Opened()
    {
        backoff = MinBackoff;
        failures = 0;
        stalledSince = 0;
    }

    /// <summary>An open failed; returns how long until the next try.</summary>
    public TimeSpan OpenFailed()
    {
        var wait = backoff;
        failures++;
        nextAttempt = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        return wait;
    }

    /// <summary>The open device failed (unplugged, or stalled).</summary>
    public void Lost()
    {
        nextAttempt = time.GetTimestamp() + (long)(MinBackoff.TotalSeconds * time.TimestampFrequency);
        stalledSince = 0;
    }

    /// <summary>The device moved audio: it is not stalled.</summary>
    public void Progressed() => stalledSince = 0;

    /// <summary>The device moved nothing within its timeout; true once that has lasted long enough to call it lost.</summary>
    public bool Stalled()
    {
        var now = time.GetTimestamp();
        stalledSince = stalledSince == 0 ? now : stalledSince;
        return time.GetElapsedTime(stalledSince, now) >= StallLimit;
    }
}

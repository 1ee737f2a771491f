namespace Intercom.Audio;

/// <summary>
/// Carries what the speaker played (playback thread) to the echo canceller (capture thread), frame for frame. The echo of a
/// played frame reaches the microphone after the playback queue (one to two periods), the room, and the capture period; the
/// canceller can only model echoes that come after their reference, so the reference may not run ahead: at most
/// <see cref="MaxLeadFrames"/> frames wait here, older ones are dropped. Missing frames read as silence.
/// </summary>
internal sealed class EchoReference
{
    /// <summary>Frames the reference may lead the microphone by; the playback queue is at least one period, plus the capture period.</summary>
    public const int MaxLeadFrames = 2;

    private readonly Lock gate = new();
    private readonly short[] ring;
    private readonly int frameSamples;
    private int head;
    private int count;

    public EchoReference(int frameSamples)
    {
        this.frameSamples = frameSamples;
        ring = new short[frameSamples * 8];
    }

    /// <summary>Frames dropped to keep the reference from leading the echo.</summary>
    public long Realignments { get; private set; }

    public void Write(ReadOnlySpan<short> played)
    {
        lock (gate)
        {
            for (var i = 0; i < played.Length; i++)
            {
                if (count == ring.Length)
                {
                    head = (head + 1) % ring.Length;
                    count--;
                }

                ring[(head + count) % ring.Length] = played[i];
                count++;
            }
        }
    }

    /// <summary>Forgets what was played (the devices restart).</summary>
    public void Clear()
    {
        lock (gate)
        {
            head = 0;
            count = 0;
        }
    }

    public void Read(Span<short> frame)
    {
        lock (gate)
        {
            if (count > (MaxLeadFrames + 1) * frameSamples)
            {
                var drop = count - ((MaxLeadFrames + 1) * frameSamples);
                head = (head + drop) % ring.Length;
                count -= drop;
                Realignments++;
            }

            var n = Math.Min(frame.Length, count);
            for (var i = 0; i < n; i++)
            {
                frame[i] = ring[(head + i) % ring.Length];
            }

            frame[n..].Clear();
            head = (head + n) % ring.Length;
            count -= n;
        }
    }
}

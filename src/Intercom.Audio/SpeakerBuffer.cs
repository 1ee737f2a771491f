namespace Intercom.Audio;

/// <summary>
/// The call's way to the speaker: a small ring of whole frames between the media thread (writer) and the playback thread
/// (reader). Full: the oldest frame goes, so delay never grows past the capacity; empty: the speaker plays silence.
/// A lock held for one frame copy: cheap, two threads, no allocation.
/// </summary>
internal sealed class SpeakerBuffer : IAudioSink
{
    private readonly Lock gate = new();
    private readonly short[] ring;
    private readonly int capacity;
    private int head;
    private int count;

    public SpeakerBuffer(int sampleRate, int frameSamples, int capacityFrames)
    {
        SampleRate = sampleRate;
        FrameSamples = frameSamples;
        capacity = capacityFrames;
        ring = new short[frameSamples * capacityFrames];
    }

    public int SampleRate { get; }

    public int FrameSamples { get; }

    /// <summary>Frames dropped because the buffer was full (the writer runs faster than the speaker).</summary>
    public long Overflows { get; private set; }

    public int BufferedFrames
    {
        get
        {
            lock (gate)
            {
                return count;
            }
        }
    }

    public bool Write(ReadOnlySpan<short> frame)
    {
        if (frame.Length != FrameSamples)
        {
            return false;
        }

        lock (gate)
        {
            if (count == capacity)
            {
                head = (head + 1) % capacity;
                count--;
                Overflows++;
            }

            frame.CopyTo(ring.AsSpan(((head + count) % capacity) * FrameSamples, FrameSamples));
            count++;
        }

        return true;
    }

    public bool TryRead(Span<short> frame)
    {
        lock (gate)
        {
            if (count == 0)
            {
                return false;
            }

            ring.AsSpan(head * FrameSamples, FrameSamples).CopyTo(frame);
            head = (head + 1) % capacity;
            count--;
            return true;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            head = 0;
            count = 0;
        }
    }
}

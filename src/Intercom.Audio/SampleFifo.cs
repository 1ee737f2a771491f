namespace Intercom.Audio;

/// <summary>
/// Regroups samples into fixed-size frames when the device's period and the call's frame differ (different rates, or a
/// period ALSA rounded). Single-threaded, preallocated, allocation-free.
/// </summary>
internal sealed class SampleFifo
{
    private readonly short[] buffer;
    private int start;
    private int count;

    public SampleFifo(int capacity) => buffer = new short[capacity];

    public int Count => count;

    public int Capacity => buffer.Length;

    /// <summary>A writable span at the end of the queued samples (compacting first); call <see cref="Commit"/> with what was written.</summary>
    public Span<short> GetWriteSpan()
    {
        if (start > 0)
        {
            buffer.AsSpan(start, count).CopyTo(buffer);
            start = 0;
        }

        return buffer.AsSpan(count);
    }

    public void Commit(int written) => count += written;

    /// <summary>Takes exactly <paramref name="frame"/>.Length samples, or nothing when fewer are queued.</summary>
    public bool TryRead(Span<short> frame)
    {
        if (count < frame.Length)
        {
            return false;
        }

        buffer.AsSpan(start, frame.Length).CopyTo(frame);
        start += frame.Length;
        count -= frame.Length;
        return true;
    }

    public void Clear()
    {
        start = 0;
        count = 0;
    }
}

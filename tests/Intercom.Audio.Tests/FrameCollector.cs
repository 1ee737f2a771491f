namespace Intercom.Audio.Tests;

/// <summary>Collects delivered frames into one preallocated array and lets a test wait for a count of frames.</summary>
internal sealed class FrameCollector(int capacitySamples) : IAudioFrameReceiver
{
    private readonly short[] samples = new short[capacitySamples];
    private readonly SemaphoreSlim arrived = new(0, int.MaxValue);
    private int count;
    private int frames;

    public int Frames => Volatile.Read(ref frames);

    public ReadOnlySpan<short> Samples => samples.AsSpan(0, Volatile.Read(ref count));

    public void OnFrame(ReadOnlySpan<short> frame)
    {
        var n = Math.Min(frame.Length, samples.Length - count);
        frame[..n].CopyTo(samples.AsSpan(count));
        Volatile.Write(ref count, count + n);
        Interlocked.Increment(ref frames);
        arrived.Release();
    }

    /// <summary>Waits (bounded) for one more frame.</summary>
    public bool WaitFrame() => arrived.Wait(TimeSpan.FromSeconds(10));
}

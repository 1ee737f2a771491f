namespace Intercom.Audio;

/// <summary>A device with no hardware: captures silence, discards playback; paced by the clock, never by itself.</summary>
internal sealed class NullPcm(int sampleRate, int periodFrames) : IPcmInput, IPcmOutput
{
    public int SampleRate { get; } = sampleRate;

    public int PeriodFrames { get; } = periodFrames;

    public bool PacesItself => false;

    public int QueuedFrames => 0;

    public int Read(Span<short> period, int timeoutMs)
    {
        period.Clear();
        return period.Length;
    }

    public int WaitReady(int timeoutMs) => 1;

    public int Write(ReadOnlySpan<short> period, int timeoutMs) => period.Length;

    public void Dispose()
    {
    }
}

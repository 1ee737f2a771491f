namespace Intercom.Audio;

/// <summary>
/// Where the call's audio goes: accepts frames as they are decoded, keeps a few in a small buffer for the speaker thread.
/// Thread-safe, allocation-free per frame.
/// </summary>
public interface IAudioSink
{
    /// <summary>Samples per second the sink expects.</summary>
    int SampleRate { get; }

    /// <summary>Samples per frame the sink expects.</summary>
    int FrameSamples { get; }

    /// <summary>Queues one frame of exactly <see cref="FrameSamples"/> samples; when the buffer is full the oldest frame is dropped. False for a wrong size.</summary>
    bool Write(ReadOnlySpan<short> frame);

    /// <summary>Drops what is buffered (end of a call).</summary>
    void Clear();
}

namespace Intercom.Audio;

/// <summary>An open playback device (ALSA, null, WAV file) at its own rate, written one period at a time.</summary>
internal interface IPcmOutput : IDisposable
{
    /// <summary>The device's actual rate, which may differ from the one asked for.</summary>
    int SampleRate { get; }

    /// <summary>Frames per period at <see cref="SampleRate"/>.</summary>
    int PeriodFrames { get; }

    /// <summary>The device's ring buffer in frames (for the log); devices without one report a period.</summary>
    int BufferFrames => PeriodFrames;

    /// <summary>Whether the device consumes periods at real-time pace itself (hardware) or must be paced by the clock.</summary>
    bool PacesItself { get; }

    /// <summary>Frames written but not yet heard (snd_pcm_delay), for latency figures.</summary>
    int QueuedFrames { get; }

    /// <summary>
    /// Waits until the device has room for a period (poll, snd_pcm_wait), so the next frame is pulled from the call as late as
    /// possible: pulled earlier, it would wait a whole period in the program before entering the device's queue.
    /// Returns 1 when ready, 0 on timeout, or a negative errno (device lost).
    /// </summary>
    int WaitReady(int timeoutMs);

    /// <summary>Queues <paramref name="period"/>; returns its length, 0 when there was no room in time, or a negative errno (device lost).</summary>
    int Write(ReadOnlySpan<short> period, int timeoutMs);
}

namespace Intercom.Audio;

/// <summary>An open capture device (ALSA, null, WAV file) at its own rate, read one period at a time.</summary>
internal interface IPcmInput : IDisposable
{
    /// <summary>The device's actual rate, which may differ from the one asked for.</summary>
    int SampleRate { get; }

    /// <summary>Frames per period at <see cref="SampleRate"/>.</summary>
    int PeriodFrames { get; }

    /// <summary>The device's ring buffer in frames (for the log); devices without one report a period.</summary>
    int BufferFrames => PeriodFrames;

    /// <summary>Whether the device delivers periods at real-time pace itself (hardware) or must be paced by the clock.</summary>
    bool PacesItself { get; }

    /// <summary>Fills <paramref name="period"/>; returns its length, 0 when nothing came in time, or a negative errno (device lost).</summary>
    int Read(Span<short> period, int timeoutMs);
}

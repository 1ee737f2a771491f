namespace Intercom.Audio;

/// <summary>
/// A microphone (baresip's ausrc): delivers fixed-size mono PCM frames, one per period, on its own thread, to a receiver.
/// </summary>
public interface IAudioSource
{
    /// <summary>Samples per second of the delivered frames (8000, 16000 or 48000).</summary>
    int SampleRate { get; }

    /// <summary>Samples per frame (SampleRate × period / 1000).</summary>
    int FrameSamples { get; }

    /// <summary>Starts delivering frames to <paramref name="receiver"/> (replacing any earlier receiver).</summary>
    void Start(IAudioFrameReceiver receiver);

    /// <summary>Stops delivering; after it returns, the receiver is not called again.</summary>
    void Stop();
}

namespace Intercom.Audio;

/// <summary>Receives captured frames from an <see cref="IAudioSource"/> (baresip's ausrc read handler).</summary>
public interface IAudioFrameReceiver
{
    /// <summary>
    /// One frame of <see cref="IAudioSource.FrameSamples"/> mono samples at <see cref="IAudioSource.SampleRate"/>, called on
    /// the capture thread. The span is only valid during the call: copy what you keep, return quickly, do not block.
    /// </summary>
    void OnFrame(ReadOnlySpan<short> frame);
}

namespace Intercom.Audio;

/// <summary>Supplies frames to an <see cref="IAudioPlayer"/> when the speaker needs them (baresip's auplay write handler).</summary>
public interface IAudioFrameProvider
{
    /// <summary>
    /// Fills <paramref name="frame"/> (<see cref="IAudioPlayer.FrameSamples"/> samples) with what to play next, silence when
    /// there is nothing; called on the playback thread, must not block.
    /// </summary>
    void ReadFrame(Span<short> frame);
}

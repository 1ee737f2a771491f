namespace Intercom.Audio;

/// <summary>
/// Builds each speaker frame on the playback thread: the call's audio (pulled from the call when one is connected, else
/// from the speaker buffer; silence when none), local
/// sounds mixed over it (saturating), the speaker volume, and a copy to the echo canceller's reference. Allocation-free.
/// </summary>
internal sealed class SpeakerMixer(SpeakerBuffer buffer, LocalSoundPlayer sounds, EchoReference reference) : IAudioFrameProvider
{
    private float volume = 1f;
    private volatile IAudioFrameProvider? call;

    /// <summary>The call's playout, pulled here frame by frame; null: frames come from the speaker buffer.</summary>
    public IAudioFrameProvider? Call
    {
        get => call;
        set => call = value;
    }

    /// <summary>Linear speaker volume; written by any thread, read per frame.</summary>
    public float LinearVolume
    {
        get => Volatile.Read(ref volume);
        set => Volatile.Write(ref volume, value);
    }

    public void ReadFrame(Span<short> frame)
    {
        var source = call;
        if (source is not null)
        {
            source.ReadFrame(frame);
        }
        else if (!buffer.TryRead(frame))
        {
            frame.Clear();
        }

        sounds.MixInto(frame);
        Gain.Apply(frame, LinearVolume);
        reference.Write(frame);
    }
}

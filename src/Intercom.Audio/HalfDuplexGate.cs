namespace Intercom.Audio;

/// <summary>
/// Half-duplex echo control, the fallback when cancellation cannot work (no speexdsp, a hopeless room): while the far end
/// is audible on the speaker the microphone is muted, and stays muted for a hangover after it stops so the room's
/// reverberation dies out before the microphone opens again. Level decisions per frame; allocation-free.
/// </summary>
internal sealed class HalfDuplexGate(int frameSamples, int sampleRate, double thresholdDbfs = -45, int hangoverMs = 250)
{
    private readonly int hangoverFrames = Math.Max(1, hangoverMs * sampleRate / 1000 / frameSamples);
    private int remaining;
    private float level = 1f;

    /// <summary>True while the microphone is muted.</summary>
    public bool Muted => remaining > 0;

    /// <summary>Mutes <paramref name="microphone"/> in place when <paramref name="played"/> (or the hangover) says the far end talks.</summary>
    public void Process(ReadOnlySpan<short> played, Span<short> microphone)
    {
        if (Gain.LevelDbfs(played) > thresholdDbfs)
        {
            remaining = hangoverFrames + 1;
        }

        var target = remaining > 0 ? 0f : 1f;
        if (remaining > 0)
        {
            remaining--;
        }

        if (target == level)
        {
            if (target == 0)
            {
                microphone.Clear();
            }

            return;
        }

        // Fade over the frame instead of switching: a hard mute or unmute clicks.
        for (var i = 0; i < microphone.Length; i++)
        {
            var gain = level + ((target - level) * (i + 1) / microphone.Length);
            microphone[i] = (short)(microphone[i] * gain);
        }

        level = target;
    }
}

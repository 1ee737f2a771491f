namespace Intercom.Audio;

/// <summary>
/// Catches a device that claims to keep time but does not: ALSA's "null" PCM (a plausible setting on a machine without a
/// card) takes and gives audio as fast as it is asked, which would spin a core. Once more audio has moved than the clock
/// allows (plus the buffer and half a second of slack), the device is paced by the clock from then on.
/// </summary>
internal sealed class RealTimeGuard(TimeProvider time, int sampleRate, int bufferFrames)
{
    private readonly long started = time.GetTimestamp();
    private long moved;

    /// <summary>True once the device has been caught running faster than real time.</summary>
    public bool Tripped { get; private set; }

    /// <summary>Counts <paramref name="frames"/> moved; true when the device must be paced by the clock.</summary>
    public bool Moved(int frames)
    {
        if (Tripped)
        {
            return true;
        }

        moved += frames;
        var allowed = (time.GetElapsedTime(started).TotalSeconds * sampleRate) + bufferFrames + (sampleRate / 2);
        Tripped = moved > allowed;
        return Tripped;
    }
}

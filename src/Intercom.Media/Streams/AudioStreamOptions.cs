namespace Intercom.Media.Streams;

/// <summary>How an <see cref="AudioStream"/> meets the sound device and the network.</summary>
public sealed class AudioStreamOptions
{
    /// <summary>Sample rate of the device frames given to <see cref="AudioStream.SendFrame"/> and asked of <see cref="AudioStream.ReadFrame"/> (8000, 16000 or 48000).</summary>
    public int DeviceSampleRate { get; init; } = 16000;

    /// <summary>Samples per device frame (the device period: 10 or 20 ms).</summary>
    public int DeviceFrameSamples { get; init; } = 320;

    /// <summary>The packet time we ask the peer for (our a=ptime) and expect its packets to last, in ms.</summary>
    public int PacketTimeMs { get; init; } = 20;

    /// <summary>Opus bit rate in bit/s (RFC 7587 §3.1.1: 6000 … 510000; 24000 is wideband speech with room for FEC).</summary>
    public int OpusBitrate { get; init; } = 24000;

    /// <summary>Floor of the jitter buffer's target delay.</summary>
    public TimeSpan JitterMinimumDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Ceiling of the jitter buffer's target delay.</summary>
    public TimeSpan JitterMaximumDelay { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// End-of-media detection: when the peer should be sending (our direction includes receiving) and no RTP came for this
    /// long, <see cref="AudioStream.MediaTimedOut"/> is raised once. Zero or negative disables it.
    /// </summary>
    public TimeSpan MediaTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>When to run the in-band DTMF detector on decoded audio.</summary>
    public InBandDtmfMode InBandDtmf { get; init; } = InBandDtmfMode.Auto;

    /// <summary>Duration of digits we send as RFC 4733 events.</summary>
    public TimeSpan DigitDuration { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Clock for arrival times, the jitter buffer and the media timeout.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Throws when a field is out of range, naming it.</summary>
    internal void Validate()
    {
        if (DeviceSampleRate is not (8000 or 16000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(DeviceSampleRate), DeviceSampleRate, "8000, 16000 or 48000 Hz");
        }

        if (DeviceFrameSamples != DeviceSampleRate / 100 && DeviceFrameSamples != DeviceSampleRate / 50)
        {
            throw new ArgumentOutOfRangeException(nameof(DeviceFrameSamples), DeviceFrameSamples, "10 or 20 ms of samples");
        }

        if (PacketTimeMs is not (10 or 20 or 30 or 40 or 60))
        {
            throw new ArgumentOutOfRangeException(nameof(PacketTimeMs), PacketTimeMs, "10, 20, 30, 40 or 60 ms");
        }

        ArgumentNullException.ThrowIfNull(Time);
    }
}

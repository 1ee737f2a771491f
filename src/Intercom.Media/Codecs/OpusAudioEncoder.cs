using Concentus;
using Concentus.Enums;

namespace Intercom.Media.Codecs;

/// <summary>
/// Mono Opus encoder (RFC 6716, RTP per RFC 7587) through Concentus, for 16 or 48 kHz PCM, VoIP application, with in-band
/// FEC so that the receiver can rebuild a lost frame from the next packet. Concentus uses the system libopus when it finds
/// one and its managed port otherwise; <paramref name="useNativeLibrary"/> = false forces the managed codec (for tests that
/// compare bytes).
/// </summary>
public sealed class OpusAudioEncoder : IAudioEncoder
{
    private readonly IOpusEncoder _encoder;

    /// <summary>Creates an encoder.</summary>
    /// <param name="sampleRate">16000 or 48000.</param>
    /// <param name="bitrate">Target bit rate in bit/s (6000–510000).</param>
    /// <param name="inbandFec">Send LBRR data for the previous frame.</param>
    /// <param name="expectedLossPercent">Loss the FEC should be sized for.</param>
    /// <param name="useNativeLibrary">Allow Concentus to use the system libopus.</param>
    public OpusAudioEncoder(int sampleRate, int bitrate = 24000, bool inbandFec = true, int expectedLossPercent = 10, bool useNativeLibrary = true)
    {
        if (sampleRate is not (16000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), "Opus runs here at 16 or 48 kHz");
        }

        SampleRate = sampleRate;
        _encoder = useNativeLibrary
            ? OpusCodecFactory.CreateEncoder(sampleRate, 1, OpusApplication.OPUS_APPLICATION_VOIP)
// The direct constructor is marked obsolete only to steer users to native code; forcing managed is the intent here.
#pragma warning disable CS0618
            : new Concentus.Structs.OpusEncoder(sampleRate, 1, OpusApplication.OPUS_APPLICATION_VOIP);
#pragma warning restore CS0618
        _encoder.Bitrate = Math.Clamp(bitrate, 6000, 510000);
        _encoder.UseInbandFEC = inbandFec;
        _encoder.PacketLossPercent = Math.Clamp(expectedLossPercent, 0, 100);
        _encoder.SignalType = OpusSignal.OPUS_SIGNAL_VOICE;
        _encoder.Complexity = 5;
    }

    /// <inheritdoc />
    public int SampleRate { get; }

    /// <summary>The current target bit rate.</summary>
    public int Bitrate
    {
        get => _encoder.Bitrate;
        set => _encoder.Bitrate = Math.Clamp(value, 6000, 510000);
    }

    /// <inheritdoc />
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        int length = _encoder.Encode(pcm, pcm.Length, payload, payload.Length);
        return length > 0 ? length : 0;
    }

    /// <inheritdoc />
    public void Dispose() => (_encoder as IDisposable)?.Dispose();
}

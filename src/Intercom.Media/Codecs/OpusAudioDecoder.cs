using Concentus;

namespace Intercom.Media.Codecs;

/// <summary>
/// Mono Opus decoder through Concentus at 16 or 48 kHz. A lost frame is rebuilt from the next packet's in-band FEC when
/// that packet is already buffered, else by Opus's own concealment (decode with no data).
/// </summary>
public sealed class OpusAudioDecoder : IAudioDecoder
{
    private readonly IOpusDecoder _decoder;

    /// <summary>Creates a decoder; <paramref name="useNativeLibrary"/> = false forces the managed codec.</summary>
    public OpusAudioDecoder(int sampleRate, bool useNativeLibrary = true)
    {
        if (sampleRate is not (16000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), "Opus runs here at 16 or 48 kHz");
        }

        SampleRate = sampleRate;
// The direct constructor is marked obsolete only to steer users to native code; forcing managed is the intent here.
#pragma warning disable CS0618
        _decoder = useNativeLibrary ? OpusCodecFactory.CreateDecoder(sampleRate, 1) : new Concentus.Structs.OpusDecoder(sampleRate, 1);
#pragma warning restore CS0618
    }

    /// <inheritdoc />
    public int SampleRate { get; }

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        try
        {
            int samples = _decoder.Decode(payload, pcm, pcm.Length, false);
            return samples > 0 ? samples : 0;
        }
        catch (Exception e) when (e is OpusException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            // A corrupt packet from the network must not end the call (the managed decoder throws on some).
            return 0;
        }
    }

    /// <inheritdoc />
    public int Conceal(ReadOnlySpan<byte> nextPayload, Span<short> pcm)
    {
        try
        {
            int samples = _decoder.Decode(nextPayload, pcm, pcm.Length, !nextPayload.IsEmpty);
            if (samples > 0)
            {
                return samples;
            }
        }
        catch (Exception e) when (e is OpusException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            // Fall through to silence.
        }

        pcm.Clear();
        return pcm.Length;
    }

    /// <inheritdoc />
    public void Reset() => _decoder.ResetState();

    /// <inheritdoc />
    public void Dispose() => (_decoder as IDisposable)?.Dispose();
}

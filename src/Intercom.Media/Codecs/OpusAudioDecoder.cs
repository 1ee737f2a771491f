using Concentus;

namespace Intercom.Media.Codecs;

/// <summary>
/// Mono Opus decoder at 16 or 48 kHz (system libopus when present, else Concentus's managed port). A lost frame is
/// rebuilt from the next packet's in-band FEC when that packet is already buffered, else by Opus's own concealment.
/// Corrupt packets decode to nothing rather than throwing.
/// </summary>
public sealed class OpusAudioDecoder : IAudioDecoder
{
    private readonly IOpusDecoder? _managed;
    private IntPtr _native;

    /// <summary>Creates a decoder; <paramref name="useNativeLibrary"/> = false forces the managed codec.</summary>
    public OpusAudioDecoder(int sampleRate, bool useNativeLibrary = true)
    {
        if (sampleRate is not (16000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), "Opus runs here at 16 or 48 kHz");
        }

        SampleRate = sampleRate;
        if (useNativeLibrary && LibOpus.IsAvailable)
        {
            _native = LibOpus.CreateDecoder(sampleRate, 1);
        }

        if (_native == IntPtr.Zero)
        {
#pragma warning disable CS0618 // see OpusAudioEncoder
            _managed = new Concentus.Structs.OpusDecoder(sampleRate, 1);
#pragma warning restore CS0618
        }
    }

    /// <inheritdoc />
    public int SampleRate { get; }

    /// <summary>True when the system libopus does the work.</summary>
    public bool IsNative => _native != IntPtr.Zero;

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm) => payload.IsEmpty ? 0 : Run(payload, pcm, fec: false);

    /// <inheritdoc />
    public int Conceal(ReadOnlySpan<byte> nextPayload, Span<short> pcm)
    {
        int samples = Run(nextPayload, pcm, fec: !nextPayload.IsEmpty);
        if (samples <= 0 && !nextPayload.IsEmpty)
        {
            samples = Run(default, pcm, fec: false);
        }

        if (samples <= 0)
        {
            pcm.Clear();
            return pcm.Length;
        }

        return samples;
    }

    /// <inheritdoc />
    public void Reset()
    {
        if (_native != IntPtr.Zero)
        {
            LibOpus.ResetDecoder(_native);
        }
        else
        {
            _managed!.ResetState();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_native != IntPtr.Zero)
        {
            LibOpus.DestroyDecoder(_native);
            _native = IntPtr.Zero;
        }

        (_managed as IDisposable)?.Dispose();
    }

    private int Run(ReadOnlySpan<byte> payload, Span<short> pcm, bool fec)
    {
        if (_native != IntPtr.Zero)
        {
            int samples = LibOpus.Decode(_native, payload, pcm, fec);
            return samples > 0 ? samples : 0;
        }

        try
        {
            int samples = _managed!.Decode(payload, pcm, pcm.Length, fec);
            return samples > 0 ? samples : 0;
        }
        catch (Exception e) when (e is OpusException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            // A corrupt packet from the network must not end the call (the managed decoder throws on some).
            return 0;
        }
    }
}

namespace Intercom.Media.Codecs;

/// <summary>G.722 at 64 kbit/s decoder with waveform-substitution concealment of lost frames.</summary>
public sealed class G722Decoder : IAudioDecoder
{
    private readonly G722Codec _codec = new();
    private readonly PacketLossConcealer _concealer = new(16000);

    /// <inheritdoc />
    public int SampleRate => 16000;

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        int samples = _codec.Decode(payload, pcm);
        _concealer.OnGoodFrame(pcm[..samples]);
        return samples;
    }

    /// <inheritdoc />
    public int Conceal(ReadOnlySpan<byte> nextPayload, Span<short> pcm)
    {
        _concealer.Conceal(pcm);
        return pcm.Length;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _codec.Reset();
        _concealer.Reset();
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

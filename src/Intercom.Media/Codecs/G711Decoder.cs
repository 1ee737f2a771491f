namespace Intercom.Media.Codecs;

/// <summary>PCMU or PCMA decoder with G.711 Appendix I style concealment of lost frames.</summary>
public sealed class G711Decoder : IAudioDecoder
{
    private readonly bool _aLaw;
    private readonly PacketLossConcealer _concealer = new(8000);

    /// <summary>Creates a decoder; <paramref name="aLaw"/> selects PCMA, else PCMU.</summary>
    public G711Decoder(bool aLaw) => _aLaw = aLaw;

    /// <inheritdoc />
    public int SampleRate => 8000;

    /// <inheritdoc />
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        int samples = Math.Min(payload.Length, pcm.Length);
        if (_aLaw)
        {
            G711.DecodeALaw(payload[..samples], pcm);
        }
        else
        {
            G711.DecodeMuLaw(payload[..samples], pcm);
        }

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
    public void Reset() => _concealer.Reset();

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

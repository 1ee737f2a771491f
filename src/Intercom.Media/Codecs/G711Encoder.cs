namespace Intercom.Media.Codecs;

/// <summary>PCMU or PCMA encoder for 8 kHz PCM (one byte per sample).</summary>
public sealed class G711Encoder : IAudioEncoder
{
    private readonly bool _aLaw;

    /// <summary>Creates an encoder; <paramref name="aLaw"/> selects PCMA, else PCMU.</summary>
    public G711Encoder(bool aLaw) => _aLaw = aLaw;

    /// <inheritdoc />
    public int SampleRate => 8000;

    /// <inheritdoc />
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        if (payload.Length < pcm.Length)
        {
            return 0;
        }

        if (_aLaw)
        {
            G711.EncodeALaw(pcm, payload);
        }
        else
        {
            G711.EncodeMuLaw(pcm, payload);
        }

        return pcm.Length;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

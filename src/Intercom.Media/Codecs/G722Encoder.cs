namespace Intercom.Media.Codecs;

/// <summary>G.722 at 64 kbit/s (RTP payload type 9): 16 kHz PCM in, one byte per two samples out.</summary>
public sealed class G722Encoder : IAudioEncoder
{
    private readonly G722Codec _codec = new();

    /// <inheritdoc />
    public int SampleRate => 16000;

    /// <inheritdoc />
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload) => payload.Length < pcm.Length / 2 ? 0 : _codec.Encode(pcm, payload);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

namespace Intercom.Media.Codecs;

/// <summary>
/// Decodes RTP payloads to 16-bit mono PCM and fills frames that were lost. One instance per stream; not thread-safe.
/// </summary>
public interface IAudioDecoder : IDisposable
{
    /// <summary>The PCM sample rate produced.</summary>
    int SampleRate { get; }

    /// <summary>Decodes a payload; returns the number of samples written, 0 if the payload is unusable.</summary>
    int Decode(ReadOnlySpan<byte> payload, Span<short> pcm);

    /// <summary>
    /// Produces <paramref name="pcm"/>.Length samples for a lost frame. <paramref name="nextPayload"/> is the packet after
    /// the lost one if it is already buffered (codecs with in-band FEC recover the lost frame from it), else empty.
    /// </summary>
    int Conceal(ReadOnlySpan<byte> nextPayload, Span<short> pcm);

    /// <summary>Forgets the stream's history (a new SSRC).</summary>
    void Reset();
}

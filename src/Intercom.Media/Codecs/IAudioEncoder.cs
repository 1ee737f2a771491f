namespace Intercom.Media.Codecs;

/// <summary>Encodes one frame of 16-bit mono PCM into an RTP payload. One instance per stream; not thread-safe.</summary>
public interface IAudioEncoder : IDisposable
{
    /// <summary>The PCM sample rate the encoder consumes.</summary>
    int SampleRate { get; }

    /// <summary>Encodes <paramref name="pcm"/> (one frame) into <paramref name="payload"/>; returns the payload length, 0 on failure.</summary>
    int Encode(ReadOnlySpan<short> pcm, Span<byte> payload);
}

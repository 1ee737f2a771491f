using Intercom.Media.Sdp;

namespace Intercom.Media.Codecs;

/// <summary>Creates the encoder and decoder for a negotiated <see cref="MediaFormat"/>.</summary>
public static class AudioCodecs
{
    /// <summary>True if this library can encode and decode <paramref name="format"/>.</summary>
    public static bool IsSupported(MediaFormat format) => Kind(format) != CodecKind.None;

    /// <summary>An encoder for the format; Opus runs at <paramref name="opusSampleRate"/> (16 or 48 kHz).</summary>
    public static IAudioEncoder CreateEncoder(MediaFormat format, int opusSampleRate = 16000, int opusBitrate = 24000) => Kind(format) switch
    {
        CodecKind.Pcmu => new G711Encoder(aLaw: false),
        CodecKind.Pcma => new G711Encoder(aLaw: true),
        CodecKind.G722 => new G722Encoder(),
        CodecKind.Opus => new OpusAudioEncoder(opusSampleRate, opusBitrate),
        _ => throw new NotSupportedException("no encoder for " + format.EncodingName),
    };

    /// <summary>A decoder for the format.</summary>
    public static IAudioDecoder CreateDecoder(MediaFormat format, int opusSampleRate = 16000) => Kind(format) switch
    {
        CodecKind.Pcmu => new G711Decoder(aLaw: false),
        CodecKind.Pcma => new G711Decoder(aLaw: true),
        CodecKind.G722 => new G722Decoder(),
        CodecKind.Opus => new OpusAudioDecoder(opusSampleRate),
        _ => throw new NotSupportedException("no decoder for " + format.EncodingName),
    };

    /// <summary>RTP timestamp units per frame of <paramref name="packetTimeMs"/> (G.722 counts at 8 kHz, Opus at 48 kHz).</summary>
    public static int TimestampUnitsPerFrame(MediaFormat format, int packetTimeMs) => format.ClockRate * packetTimeMs / 1000;

    private static CodecKind Kind(MediaFormat format) => format.EncodingName.ToUpperInvariant() switch
    {
        "PCMU" when format.ClockRate == 8000 => CodecKind.Pcmu,
        "PCMA" when format.ClockRate == 8000 => CodecKind.Pcma,
        "G722" when format.ClockRate == 8000 => CodecKind.G722,
        "OPUS" when format.ClockRate == 48000 => CodecKind.Opus,
        _ => CodecKind.None,
    };

    private enum CodecKind
    {
        None,
        Pcmu,
        Pcma,
        G722,
        Opus,
    }
}

namespace Intercom.Media.Codecs;

/// <summary>
/// ITU-T G.711 companding: PCMU (µ-law, RTP payload type 0) and PCMA (A-law, payload type 8).
/// Linear samples are 16-bit; µ-law works on their top 14 bits and A-law on their top 13 bits,
/// exactly as the standard's Tables 1a/2a define the decision and reconstruction values.
/// </summary>
public static class G711
{
    // µ-law: the 14-bit magnitude is offset by 33 so that every segment boundary is a power of two (G.711 Table 2a).
    private const int MuLawBias = 33;
    // 8158 + 33 is the last value inside segment 7; anything above it saturates to the top code.
    private const int MuLawClip = 8158;

    /// <summary>Encodes one 16-bit linear sample to a µ-law code (bits inverted as transmitted, G.711 §4.2).</summary>
    public static byte LinearToMuLaw(short sample)
    {
        int value = sample >> 2;
        int mask;
        if (value < 0)
        {
            // One's complement keeps the negative range symmetric with the positive one (-1 maps to "negative zero").
            value = ~value;
            mask = 0x7F;
        }
        else
        {
            mask = 0xFF;
        }

        if (value > MuLawClip)
        {
            value = MuLawClip;
        }

        value += MuLawBias;
        int segment = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)value) - 5;
        int code = (segment << 4) | ((value >> (segment + 1)) & 0x0F);
        return (byte)(code ^ mask);
    }

    /// <summary>Decodes a µ-law code to the 16-bit linear reconstruction value of G.711 Table 2a (scaled by 4).</summary>
    public static short MuLawToLinear(byte code)
    {
        int inverted = ~code;
        int segment = (inverted >> 4) & 0x07;
        int magnitude = ((((inverted & 0x0F) << 1) + MuLawBias) << segment) - MuLawBias;
        return (short)((inverted & 0x80) != 0 ? -(magnitude << 2) : magnitude << 2);
    }

    /// <summary>Encodes one 16-bit linear sample to an A-law code (even bits inverted as transmitted, G.711 §3.2).</summary>
    public static byte LinearToALaw(short sample)
    {
        int value = sample >> 3;
        int mask;
        if (value < 0)
        {
            value = ~value;
            mask = 0x55;
        }
        else
        {
            mask = 0xD5;
        }

        if (value > 4095)
        {
            value = 4095;
        }

        int code;
        if (value < 32)
        {
            // Segments 0 and 1 share the finest step (2 units of the 12-bit magnitude).
            code = value >> 1;
        }
        else
        {
            int segment = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)value) - 4;
            code = (segment << 4) | ((value >> segment) & 0x0F);
        }

        return (byte)(code ^ mask);
    }

    /// <summary>Decodes an A-law code to the 16-bit linear reconstruction value of G.711 Table 1a (scaled by 8).</summary>
    public static short ALawToLinear(byte code)
    {
        int value = code ^ 0x55;
        int segment = (value >> 4) & 0x07;
        int quantum = value & 0x0F;
        int magnitude = segment == 0 ? (quantum << 1) + 1 : ((quantum << 1) + 33) << (segment - 1);
        magnitude <<= 3;
        return (short)((value & 0x80) != 0 ? magnitude : -magnitude);
    }

    /// <summary>Encodes a frame of linear samples to µ-law, one byte per sample.</summary>
    public static void EncodeMuLaw(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        for (int i = 0; i < pcm.Length; i++)
        {
            payload[i] = LinearToMuLaw(pcm[i]);
        }
    }

    /// <summary>Decodes a µ-law payload to linear samples.</summary>
    public static void DecodeMuLaw(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        for (int i = 0; i < payload.Length; i++)
        {
            pcm[i] = MuLawToLinear(payload[i]);
        }
    }

    /// <summary>Encodes a frame of linear samples to A-law, one byte per sample.</summary>
    public static void EncodeALaw(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        for (int i = 0; i < pcm.Length; i++)
        {
            payload[i] = LinearToALaw(pcm[i]);
        }
    }

    /// <summary>Decodes an A-law payload to linear samples.</summary>
    public static void DecodeALaw(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        for (int i = 0; i < payload.Length; i++)
        {
            pcm[i] = ALawToLinear(payload[i]);
        }
    }
}

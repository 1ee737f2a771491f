using Intercom.Media.Codecs;

namespace Intercom.Media.Tests.Codecs;

public sealed class G711Tests
{
    // Decoded by sox 14.4 (an independent G.711 implementation) from the 256 codes 0x00..0xFF.
    private static readonly short[] SoxMuLawTable =
    [
        -32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, -23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764,
        -15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412, -11900, -11388, -10876, -10364, -9852, -9340, -8828, -8316,
        -7932, -7676, -7420, -7164, -6908, -6652, -6396, -6140, -5884, -5628, -5372, -5116, -4860, -4604, -4348, -4092,
        -3900, -3772, -3644, -3516, -3388, -3260, -3132, -3004, -2876, -2748, -2620, -2492, -2364, -2236, -2108, -1980,
        -1884, -1820, -1756, -1692, -1628, -1564, -1500, -1436, -1372, -1308, -1244, -1180, -1116, -1052, -988, -924,
        -876, -844, -812, -780, -748, -716, -684, -652, -620, -588, -556, -524, -492, -460, -428, -396,
        -372, -356, -340, -324, -308, -292, -276, -260, -244, -228, -212, -196, -180, -164, -148, -132,
        -120, -112, -104, -96, -88, -80, -72, -64, -56, -48, -40, -32, -24, -16, -8, 0,
        32124, 31100, 30076, 29052, 28028, 27004, 25980, 24956, 23932, 22908, 21884, 20860, 19836, 18812, 17788, 16764,
        15996, 15484, 14972, 14460, 13948, 13436, 12924, 12412, 11900, 11388, 10876, 10364, 9852, 9340, 8828, 8316,
        7932, 7676, 7420, 7164, 6908, 6652, 6396, 6140, 5884, 5628, 5372, 5116, 4860, 4604, 4348, 4092,
        3900, 3772, 3644, 3516, 3388, 3260, 3132, 3004, 2876, 2748, 2620, 2492, 2364, 2236, 2108, 1980,
        1884, 1820, 1756, 1692, 1628, 1564, 1500, 1436, 1372, 1308, 1244, 1180, 1116, 1052, 988, 924,
        876, 844, 812, 780, 748, 716, 684, 652, 620, 588, 556, 524, 492, 460, 428, 396,
        372, 356, 340, 324, 308, 292, 276, 260, 244, 228, 212, 196, 180, 164, 148, 132,
        120, 112, 104, 96, 88, 80, 72, 64, 56, 48, 40, 32, 24, 16, 8, 0,
    ];

    // Decoded by sox 14.4 (an independent G.711 implementation) from the 256 codes 0x00..0xFF.
    private static readonly short[] SoxALawTable =
    [
        -5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736, -7552, -7296, -8064, -7808, -6528, -6272, -7040, -6784,
        -2752, -2624, -3008, -2880, -2240, -2112, -2496, -2368, -3776, -3648, -4032, -3904, -3264, -3136, -3520, -3392,
        -22016, -20992, -24064, -23040, -17920, -16896, -19968, -18944, -30208, -29184, -32256, -31232, -26112, -25088, -28160, -27136,
        -11008, -10496, -12032, -11520, -8960, -8448, -9984, -9472, -15104, -14592, -16128, -15616, -13056, -12544, -14080, -13568,
        -344, -328, -376, -360, -280, -264, -312, -296, -472, -456, -504, -488, -408, -392, -440, -424,
        -88, -72, -120, -104, -24, -8, -56, -40, -216, -200, -248, -232, -152, -136, -184, -168,
        -1376, -1312, -1504, -1440, -1120, -1056, -1248, -1184, -1888, -1824, -2016, -1952, -1632, -1568, -1760, -1696,
        -688, -656, -752, -720, -560, -528, -624, -592, -944, -912, -1008, -976, -816, -784, -880, -848,
        5504, 5248, 6016, 5760, 4480, 4224, 4992, 4736, 7552, 7296, 8064, 7808, 6528, 6272, 7040, 6784,
        2752, 2624, 3008, 2880, 2240, 2112, 2496, 2368, 3776, 3648, 4032, 3904, 3264, 3136, 3520, 3392,
        22016, 20992, 24064, 23040, 17920, 16896, 19968, 18944, 30208, 29184, 32256, 31232, 26112, 25088, 28160, 27136,
        11008, 10496, 12032, 11520, 8960, 8448, 9984, 9472, 15104, 14592, 16128, 15616, 13056, 12544, 14080, 13568,
        344, 328, 376, 360, 280, 264, 312, 296, 472, 456, 504, 488, 408, 392, 440, 424,
        88, 72, 120, 104, 24, 8, 56, 40, 216, 200, 248, 232, 152, 136, 184, 168,
        1376, 1312, 1504, 1440, 1120, 1056, 1248, 1184, 1888, 1824, 2016, 1952, 1632, 1568, 1760, 1696,
        688, 656, 752, 720, 560, 528, 624, 592, 944, 912, 1008, 976, 816, 784, 880, 848,
    ];

    [Fact]
    public void Every_mu_law_code_decodes_to_the_reference_value()
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.Equal(SoxMuLawTable[code], G711.MuLawToLinear((byte)code));
        }
    }

    [Fact]
    public void Every_a_law_code_decodes_to_the_reference_value()
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.Equal(SoxALawTable[code], G711.ALawToLinear((byte)code));
        }
    }

    [Theory]
    // G.711 Table 2a (µ-law): character after inversion and its decoder output value (14-bit scale, here x4).
    [InlineData(0x80, 8031 * 4)]
    [InlineData(0x00, -8031 * 4)]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0xFE, 2 * 4)]
    [InlineData(0xEF, 33 * 4)]
    public void Mu_law_matches_table_2a(int code, int expected) => Assert.Equal(expected, G711.MuLawToLinear((byte)code));

    [Theory]
    // G.711 Table 1a (A-law): transmitted character (even bits inverted) and decoder output value (13-bit scale, here x8).
    [InlineData(0xD5, 1 * 8)]
    [InlineData(0x55, -1 * 8)]
    [InlineData(0xAA, 4032 * 8)]
    [InlineData(0x2A, -4032 * 8)]
    [InlineData(0xC5, 33 * 8)]
    public void A_law_matches_table_1a(int code, int expected) => Assert.Equal(expected, G711.ALawToLinear((byte)code));

    [Fact]
    public void Mu_law_decode_then_encode_returns_the_same_code()
    {
        for (int code = 0; code < 256; code++)
        {
            // "Negative zero" (0x7F) decodes to 0, which the encoder sends as positive zero.
            int expected = code == 0x7F ? 0xFF : code;
            Assert.Equal(expected, G711.LinearToMuLaw(G711.MuLawToLinear((byte)code)));
        }
    }

    [Fact]
    public void A_law_decode_then_encode_returns_the_same_code()
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.Equal(code, G711.LinearToALaw(G711.ALawToLinear((byte)code)));
        }
    }

    [Fact]
    public void Mu_law_encoder_picks_the_nearest_level_of_the_segment()
    {
        int previous = int.MinValue;
        for (int x = short.MinValue; x <= short.MaxValue; x++)
        {
            short decoded = G711.MuLawToLinear(G711.LinearToMuLaw((short)x));
            Assert.True(decoded >= previous, $"decoder output must not decrease: x={x}");
            previous = decoded;
            int magnitude14 = Math.Min(Math.Abs(x) >> 2, 8159);
            // Step size doubles with each segment: 2 units in segment 0 up to 256 in segment 7 (14-bit scale).
            int segment = magnitude14 < 31 ? 0 : Math.Min(7, (int)Math.Log2((magnitude14 + 33) / 32.0));
            int halfStep = (1 << segment) * 4;
            if (Math.Abs(x) <= 8159 * 4)
            {
                Assert.True(Math.Abs(decoded - x) <= halfStep + 4, $"x={x} decoded={decoded}");
            }
        }
    }

    [Fact]
    public void A_law_encoder_picks_the_nearest_level_of_the_segment()
    {
        int previous = int.MinValue;
        for (int x = short.MinValue; x <= short.MaxValue; x++)
        {
            short decoded = G711.ALawToLinear(G711.LinearToALaw((short)x));
            Assert.True(decoded >= previous, $"decoder output must not decrease: x={x}");
            previous = decoded;
            int magnitude12 = Math.Abs(x) >> 3;
            int segment = magnitude12 < 32 ? 1 : Math.Min(7, (int)Math.Log2(magnitude12 / 16.0));
            int halfStep = (1 << (segment - 1)) * 8;
            if (magnitude12 < 4032)
            {
                Assert.True(Math.Abs(decoded - x) <= halfStep + 8, $"x={x} decoded={decoded}");
            }
        }
    }

    [Fact]
    public void Frame_helpers_encode_and_decode_every_sample()
    {
        short[] pcm = [0, 1000, -1000, 32767, -32768, 42];
        var payload = new byte[pcm.Length];
        var back = new short[pcm.Length];
        G711.EncodeALaw(pcm, payload);
        G711.DecodeALaw(payload, back);
        for (int i = 0; i < pcm.Length; i++)
        {
            Assert.Equal(G711.ALawToLinear(G711.LinearToALaw(pcm[i])), back[i]);
        }

        G711.EncodeMuLaw(pcm, payload);
        G711.DecodeMuLaw(payload, back);
        for (int i = 0; i < pcm.Length; i++)
        {
            Assert.Equal(G711.MuLawToLinear(G711.LinearToMuLaw(pcm[i])), back[i]);
        }
    }
}

using Intercom.Media.Codecs;

namespace Intercom.Media.Tests.Codecs;

public sealed class G722Tests
{
    private static short[] RoundTrip(short[] input)
    {
        using var encoder = new G722Encoder();
        using var decoder = new G722Decoder();
        var output = new short[input.Length];
        var payload = new byte[160];
        for (int offset = 0; offset + 320 <= input.Length; offset += 320)
        {
            Assert.Equal(160, encoder.Encode(input.AsSpan(offset, 320), payload));
            Assert.Equal(320, decoder.Decode(payload, output.AsSpan(offset, 320)));
        }

        return output;
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(300)]
    [InlineData(3000)]
    public void A_tone_survives_encode_and_decode_with_high_snr_at_its_frequency(double frequency)
    {
        // No independent G.722 decoder is installed (sox lacks G.722), so check a known signal: 1 s of tone at 16 kHz.
        short[] input = Signal.Tone(frequency, 16000, 16000);
        short[] output = RoundTrip(input);
        // 64 kbit/s ADPCM on a steady tone is far better than 30 dB.
        double snr = Signal.ToneSnr(output.AsSpan(1600), frequency, 16000);
        Assert.True(snr > 30, $"SNR {snr:F1} dB at {frequency} Hz");
        if (frequency == 300)
        {
            // The transmit and receive QMFs delay the signal by 22 samples (a 300 Hz period is long enough to tell).
            Assert.Equal(22, Signal.BestSnr(input, output, maxDelay: 40, skip: 1600).Delay);
        }
        Assert.Equal(frequency, Signal.PeakFrequency(output.AsSpan(1600, 3200), 16000, from: 100, to: 7000));
    }

    [Fact]
    public void Wideband_content_above_4_khz_is_carried_by_the_upper_band()
    {
        short[] input = Signal.Tone(5500, 16000, 16000, amplitude: 6000);
        short[] output = RoundTrip(input);
        double ratio = Signal.Rms(output.AsSpan(1600)) / Signal.Rms(input.AsSpan(1600));
        Assert.InRange(ratio, 0.7, 1.3);
        Assert.Equal(5500, Signal.PeakFrequency(output.AsSpan(1600, 1600), 16000, from: 4000, to: 7900));
    }

    [Fact]
    public void Silence_stays_near_silence_and_payload_is_one_byte_per_two_samples()
    {
        short[] output = RoundTrip(new short[3200]);
        Assert.True(Signal.Rms(output) < 20);
        using var encoder = new G722Encoder();
        Assert.Equal(0, encoder.Encode(new short[320], new byte[100]));
        Assert.Equal(16000, encoder.SampleRate);
    }

    [Fact]
    public void Reset_makes_decoding_repeatable()
    {
        using var encoder = new G722Encoder();
        using var decoder = new G722Decoder();
        var payload = new byte[160];
        encoder.Encode(Signal.Tone(800, 16000, 320), payload);
        var first = new short[320];
        var second = new short[320];
        decoder.Decode(payload, first);
        decoder.Reset();
        decoder.Decode(payload, second);
        Assert.Equal(first, second);
    }
}

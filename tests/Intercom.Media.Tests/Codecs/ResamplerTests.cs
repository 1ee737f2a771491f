using Intercom.Media.Codecs;

namespace Intercom.Media.Tests.Codecs;

public sealed class ResamplerTests
{
    private static short[] Convert(Resampler resampler, short[] input, int frame)
    {
        var output = new List<short>();
        var block = new short[resampler.OutputLength(frame)];
        for (int offset = 0; offset + frame <= input.Length; offset += frame)
        {
            Assert.Equal(block.Length, resampler.Process(input.AsSpan(offset, frame), block));
            output.AddRange(block);
        }

        return [.. output];
    }

    [Theory]
    [InlineData(8000, 48000)]
    [InlineData(48000, 8000)]
    [InlineData(8000, 16000)]
    [InlineData(16000, 8000)]
    [InlineData(16000, 48000)]
    [InlineData(48000, 16000)]
    public void A_tone_in_the_common_band_keeps_its_frequency_and_level(int from, int to)
    {
        var resampler = new Resampler(from, to);
        short[] input = Signal.Tone(1000, from, from);
        short[] output = Convert(resampler, input, from / 50);
        Assert.Equal(to, output.Length);
        ReadOnlySpan<short> settled = output.AsSpan(to / 10, Math.Min(to / 5, 3200));
        Assert.InRange(Signal.Rms(settled) / Signal.Rms(input.AsSpan(from / 10)), 0.9, 1.1);
        Assert.Equal(1000, Signal.PeakFrequency(settled, to, from: 500, to: 3000));
        // Continuity across 20 ms blocks: everything but the tone is noise or distortion.
        double snr = Signal.ToneSnr(output.AsSpan(to / 10), 1000, to);
        Assert.True(snr > 40, $"SNR {snr:F1} dB");
    }

    [Fact]
    public void Downsampling_removes_what_the_lower_rate_cannot_carry()
    {
        var resampler = new Resampler(48000, 8000);
        short[] output = Convert(resampler, Signal.Tone(6000, 48000, 48000), 960);
        Assert.True(Signal.Rms(output.AsSpan(800)) < 10000 * 0.03, $"aliased level {Signal.Rms(output.AsSpan(800)):F0}");
    }

    [Fact]
    public void Refuses_blocks_that_are_not_a_multiple_of_the_decimation()
    {
        var resampler = new Resampler(48000, 8000);
        Assert.Equal(0, resampler.Process(new short[961], new short[200]));
        Assert.Equal(160, resampler.Process(new short[960], new short[160]));
    }
}

using Intercom.Dsp;

namespace Intercom.Audio.Tests;

/// <summary>
/// The station's one rate converter (Intercom.Dsp), as the sound-card side (48 and 44.1 kHz cards) and the codec side
/// (20 ms frames between the engine's rate and G.711's or G.722's) use it.
/// </summary>
public sealed class ResamplerTests
{
    [Theory]
    [InlineData(48000, 16000, 1000)]
    [InlineData(48000, 8000, 1000)]
    [InlineData(16000, 48000, 1000)]
    [InlineData(8000, 48000, 440)]
    [InlineData(44100, 8000, 1000)]
    [InlineData(44100, 16000, 3000)]
    [InlineData(8000, 44100, 1000)]
    public void Keeps_frequency_and_level_across_rates(int from, int to, double frequency)
    {
        var input = Signals.Sine(frequency, -6, from, from * 2);
        var output = Run(from, to, input, block: from / 50);

        // Two seconds in give two seconds out (the filter's look-ahead is paid as delay, not as missing samples).
        Assert.InRange(output.Length, (2 * to) - 1, 2 * to);
        var steady = output.AsSpan(to / 10, to);
        Assert.Equal(frequency, Signals.ZeroCrossingFrequency(steady, to), 0.1);
        Assert.Equal(-6, Signals.LevelDbfs(steady), 0.1);
    }

    [Theory]
    [InlineData(48000, 16000)]
    [InlineData(48000, 8000)]
    [InlineData(44100, 8000)]
    public void Removes_what_the_lower_rate_cannot_carry(int from, int to)
    {
        // A tone above the output's Nyquist frequency must not fold back as an alias.
        var alias = (to / 2) + 1500;
        var output = Run(from, to, Signals.Sine(alias, -6, from, from), block: from / 100);

        Assert.True(Signals.LevelDbfs(output.AsSpan(to / 10)) < -60, $"alias level {Signals.LevelDbfs(output.AsSpan(to / 10)):F1} dBFS");
    }

    [Theory]
    [InlineData(8000, 48000)]
    [InlineData(48000, 8000)]
    [InlineData(8000, 16000)]
    [InlineData(16000, 8000)]
    [InlineData(16000, 48000)]
    [InlineData(48000, 16000)]
    public void Every_20_ms_frame_gives_a_20_ms_frame_and_a_tone_keeps_its_frequency_and_level(int from, int to)
    {
        // The codec side plays out one decoded frame per device frame: a short block would be a dropped frame.
        var resampler = new Resampler(from, to, from / 50);
        var input = Signal.Tone(1000, from, from);
        var output = new List<short>();
        var block = new short[to / 50];
        for (var offset = 0; offset < input.Length; offset += from / 50)
        {
            Assert.Equal(block.Length, resampler.Process(input.AsSpan(offset, from / 50), block));
            output.AddRange(block);
        }

        var settled = output.ToArray().AsSpan(to / 10, Math.Min(to / 5, 3200));
        Assert.InRange(Signal.Rms(settled) / Signal.Rms(input.AsSpan(from / 10)), 0.9, 1.1);
        Assert.Equal(1000, Signal.PeakFrequency(settled, to, from: 500, to: 3000));

        // Continuity across blocks: everything but the tone is noise or distortion.
        var snr = Signal.ToneSnr(output.ToArray().AsSpan(to / 10), 1000, to);
        Assert.True(snr > 40, $"SNR {snr:F1} dB");
    }

    [Fact]
    public void Blocks_of_any_length_carry_the_fraction_of_an_output_period_over()
    {
        // 961 + 959 samples at 48 kHz are 40 ms: 320 samples at 8 kHz in all, however the blocks split them (the output
        // instant at input 960 belongs to the first block), not a refused block and a lost frame.
        var resampler = new Resampler(48000, 8000, 961);
        var output = new short[resampler.MaxOutput(961)];
        Assert.Equal(161, resampler.Process(new short[961], output));
        Assert.Equal(159, resampler.Process(new short[959], output));
        Assert.Throws<ArgumentException>(() => resampler.Process(new short[962], output));
    }

    [Fact]
    public void Equal_rates_pass_samples_through_unchanged()
    {
        var ramp = Signals.RampSamples(1000);
        Assert.Equal(ramp, Run(16000, 16000, ramp, block: 100));
    }

    [Fact]
    public void Does_not_allocate_per_block()
    {
        var resampler = new Resampler(48000, 16000, 960);
        var input = Signals.Sine(1000, -6, 48000, 960);
        var output = new short[resampler.MaxOutput(960)];
        resampler.Process(input, output);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            resampler.Process(input, output);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static short[] Run(int from, int to, short[] input, int block)
    {
        var resampler = new Resampler(from, to, block);
        var output = new List<short>();
        var buffer = new short[resampler.MaxOutput(block)];
        for (var offset = 0; offset < input.Length; offset += block)
        {
            var n = resampler.Process(input.AsSpan(offset, Math.Min(block, input.Length - offset)), buffer);
            output.AddRange(buffer.AsSpan(0, n));
        }

        return [.. output];
    }
}

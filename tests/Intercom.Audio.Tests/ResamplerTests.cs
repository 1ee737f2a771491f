namespace Intercom.Audio.Tests;

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

        // Two seconds in give two seconds out, less the filter's look-ahead.
        Assert.InRange(output.Length, (2 * to) - (to / 100), 2 * to);
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

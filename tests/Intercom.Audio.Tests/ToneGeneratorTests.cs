using Intercom.Dsp;

namespace Intercom.Audio.Tests;

public sealed class ToneGeneratorTests
{
    private static short[] Play(TonePattern pattern, int ms, int rate = 8000)
    {
        var generator = new ToneGenerator(pattern, rate);
        var pcm = new short[rate * ms / 1000];
        // In 20 ms frames, as the media path reads it.
        for (int offset = 0; offset < pcm.Length; offset += rate / 50)
        {
            generator.Read(pcm.AsSpan(offset, Math.Min(rate / 50, pcm.Length - offset)));
        }

        return pcm;
    }

    [Fact]
    public void European_ringback_is_425_hz_one_second_on_four_off()
    {
        short[] pcm = Play(TonePattern.RingbackEurope, 6000);
        Assert.Equal(425, Signal.PeakFrequency(pcm.AsSpan(0, 4000), 8000, from: 305, to: 605));
        Assert.True(Signal.Rms(pcm.AsSpan(0, 8000)) > 3000);
        Assert.Equal(0, Signal.Rms(pcm.AsSpan(8000, 32000)));
        Assert.True(Signal.Rms(pcm.AsSpan(40000, 8000)) > 3000);
        Assert.True(Signal.ToneSnr(pcm.AsSpan(0, 8000), 425, 8000) > 50, "phase-continuous across 20 ms frames");
    }

    [Fact]
    public void Busy_cadence_is_half_a_second_on_and_off()
    {
        short[] pcm = Play(TonePattern.BusyNorthAmerica, 2000);
        Assert.True(Signal.Rms(pcm.AsSpan(0, 4000)) > 1000);
        Assert.Equal(0, Signal.Rms(pcm.AsSpan(4000, 4000)));
        Assert.True(Signal.Rms(pcm.AsSpan(8000, 4000)) > 1000);
    }

    [Fact]
    public void Error_tone_rises_through_three_frequencies_then_stops()
    {
        var generator = new ToneGenerator(TonePattern.ErrorTone, 16000);
        var pcm = new short[16000 * 1200 / 1000];
        generator.Read(pcm);
        Assert.True(generator.IsFinished);
        Assert.Equal(950, Signal.PeakFrequency(pcm.AsSpan(0, 5000), 16000, from: 500, to: 2500));
        Assert.Equal(1400, Signal.PeakFrequency(pcm.AsSpan(5400, 5000), 16000, from: 500, to: 2500));
        Assert.Equal(1800, Signal.PeakFrequency(pcm.AsSpan(10700, 5000), 16000, from: 500, to: 2500));
        Assert.Equal(0, Signal.Rms(pcm.AsSpan(16000)));
    }

    [Fact]
    public void Confirmation_beep_is_short_and_rises_from_880_to_1320_hz()
    {
        short[] pcm = Play(TonePattern.ConfirmationBeep, 500);
        Assert.Equal(880, Signal.PeakFrequency(pcm.AsSpan(0, 900), 8000, from: 500, to: 2000));
        Assert.Equal(1320, Signal.PeakFrequency(pcm.AsSpan(8000 * 180 / 1000, 1200), 8000, from: 500, to: 2000));
        Assert.Equal(0, Signal.Rms(pcm.AsSpan(8000 * 340 / 1000)));
    }

    [Fact]
    public void A_fade_starts_and_ends_each_tone_at_silence_and_keeps_the_level_between()
    {
        // 5 ms at 8 kHz is 40 samples: a loudspeaker hears no click at the edges of a beep.
        var generator = new ToneGenerator(new TonePattern("beep", false, new ToneSegment(1000, 0, 100, -10)), 8000, fadeMs: 5);
        var pcm = new short[800];
        generator.Read(pcm);

        Assert.True(generator.IsFinished, "finished with its last sample");
        Assert.Equal(0, pcm[0]);
        Assert.True(Math.Abs((int)pcm[^1]) < 200, $"last sample {pcm[^1]}");
        Assert.True(Signal.Rms(pcm.AsSpan(0, 10)) < Signal.Rms(pcm.AsSpan(40, 80)) / 3, "no fade in");
        double expected = 32767 * Math.Pow(10, (-10 - ToneGenerator.FullScaleDbm0) / 20) / Math.Sqrt(2);
        Assert.InRange(Signal.Rms(pcm.AsSpan(40, 720)), expected * 0.98, expected * 1.02);
    }

    [Fact]
    public void Dtmf_pattern_uses_q23_frequencies()
    {
        Assert.True(TonePattern.TryGetDtmfFrequencies('#', out double low, out double high));
        Assert.Equal((941, 1477), (low, high));
        Assert.False(TonePattern.TryGetDtmfFrequencies('E', out _, out _));
        Assert.Throws<ArgumentException>(() => TonePattern.Dtmf('x'));
    }
}

using Intercom.Media.Tests.Codecs;
using Intercom.Media.Tones;

namespace Intercom.Media.Tests.Dtmf;

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
    public void Confirmation_beep_is_short_and_at_1_khz()
    {
        short[] pcm = Play(TonePattern.ConfirmationBeep, 500);
        Assert.Equal(1000, Signal.PeakFrequency(pcm.AsSpan(0, 900), 8000, from: 500, to: 2000));
        Assert.Equal(0, Signal.Rms(pcm.AsSpan(8000 * 330 / 1000)));
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

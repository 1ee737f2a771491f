using Intercom.Media.Dtmf;
using Intercom.Media.Tests.Codecs;
using Intercom.Dsp;

namespace Intercom.Media.Tests.Dtmf;

public sealed class DtmfDetectorTests
{
    private const int Rate = 8000;

    /// <summary>Two tones at given frequencies and levels (dBm0; full-scale sine = +3.14 dBm0).</summary>
    private static short[] DualTone(double low, double high, int ms, double lowDbm0 = -10, double highDbm0 = -10, int rate = Rate)
    {
        double a1 = 32767 * Math.Pow(10, (lowDbm0 - 3.14) / 20);
        double a2 = 32767 * Math.Pow(10, (highDbm0 - 3.14) / 20);
        int count = rate * ms / 1000;
        return [.. Enumerable.Range(0, count).Select(n => (short)((a1 * Math.Sin(2 * Math.PI * low * n / rate)) + (a2 * Math.Sin(2 * Math.PI * high * n / rate))))];
    }

    private static string Detect(IEnumerable<short> audio, int rate = Rate)
    {
        var detector = new DtmfDetector(rate);
        short[] samples = [.. audio];
        var digits = new char[16];
        var result = new System.Text.StringBuilder();
        // Feed in 20 ms frames as the media path does.
        int frame = rate / 50;
        for (int offset = 0; offset < samples.Length; offset += frame)
        {
            int count = detector.Process(samples.AsSpan(offset, Math.Min(frame, samples.Length - offset)), digits);
            result.Append(digits, 0, count);
        }

        return result.ToString();
    }

    private static short[] Silence(int ms, int rate = Rate) => new short[rate * ms / 1000];

    private static IEnumerable<short> Digits(string digits, int toneMs, int gapMs, int rate = Rate)
    {
        var audio = new List<short>(Silence(gapMs, rate));
        foreach (char digit in digits)
        {
            var generator = new ToneGenerator(TonePattern.Dtmf(digit, toneMs), rate);
            var tone = new short[rate * toneMs / 1000];
            generator.Read(tone);
            audio.AddRange(tone);
            audio.AddRange(Silence(gapMs, rate));
        }

        return audio;
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public void All_sixteen_digits_are_detected_once_each(int rate) =>
        Assert.Equal("123A456B789C*0#D", Detect(Digits("123A456B789C*0#D", 60, 60, rate), rate));

    [Fact]
    public void A_repeated_digit_needs_the_pause_between_presses()
    {
        Assert.Equal("55", Detect(Digits("55", 60, 40)));
        Assert.Equal("5", Detect(Digits("5", 600, 40)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Forty_millisecond_tones_are_accepted_at_any_alignment(int offsetMs) =>
        Assert.Equal("9", Detect(Silence(offsetMs).Concat(DualTone(852, 1477, 40)).Concat(Silence(60))));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Twenty_millisecond_bursts_are_rejected(int offsetMs) =>
        Assert.Equal(string.Empty, Detect(Silence(offsetMs).Concat(DualTone(852, 1477, 20)).Concat(Silence(60))));

    [Theory]
    [InlineData(1.015, "1")]
    [InlineData(0.985, "1")]
    [InlineData(1.035, "")]
    [InlineData(0.965, "")]
    [InlineData(1.05, "")]
    public void Frequency_deviation_follows_q24(double factor, string expected) =>
        Assert.Equal(expected, Detect(DualTone(697 * factor, 1209 * factor, 80).Concat(Silence(40))));

    [Theory]
    [InlineData(-10, -10, "0")]
    [InlineData(-10, -16, "0")]
    [InlineData(-13, -10, "0")]
    [InlineData(-10, -20, "")]
    [InlineData(-17, -10, "")]
    public void Twist_limits(double lowDbm0, double highDbm0, string expected) =>
        Assert.Equal(expected, Detect(DualTone(941, 1336, 80, lowDbm0, highDbm0).Concat(Silence(40))));

    [Fact]
    public void Too_quiet_tones_are_ignored() => Assert.Equal(string.Empty, Detect(DualTone(941, 1336, 80, -36, -36)));

    [Fact]
    public void White_noise_gives_no_digits()
    {
        var random = new Random(42);
        short[] noise = [.. Enumerable.Range(0, Rate * 10).Select(_ => (short)random.Next(-8000, 8000))];
        Assert.Equal(string.Empty, Detect(noise));
    }

    [Fact]
    public void Speech_like_voiced_sound_gives_no_digits()
    {
        // A glottal-like pulse train whose pitch glides 90–220 Hz, shaped by two moving formants: rich in harmonics that
        // cross the DTMF frequencies, as vowels do.
        var random = new Random(1);
        var audio = new short[Rate * 10];
        double phase = 0;
        double y1 = 0, y2 = 0, z1 = 0, z2 = 0;
        for (int n = 0; n < audio.Length; n++)
        {
            double t = n / (double)Rate;
            double pitch = 155 + (65 * Math.Sin(2 * Math.PI * 0.7 * t));
            phase += pitch / Rate;
            double excitation = phase % 1 < 0.1 ? 1 : 0;
            excitation += (random.NextDouble() - 0.5) * 0.05;
            double f1 = 700 + (300 * Math.Sin(2 * Math.PI * 1.3 * t));
            double f2 = 1400 + (500 * Math.Sin(2 * Math.PI * 0.9 * t));
            double r = 0.97;
            double y = (excitation * 1000) + (2 * r * Math.Cos(2 * Math.PI * f1 / Rate) * y1) - (r * r * y2);
            y2 = y1;
            y1 = y;
            double z = y + (2 * r * Math.Cos(2 * Math.PI * f2 / Rate) * z1) - (r * r * z2);
            z2 = z1;
            z1 = z;
            audio[n] = (short)Math.Clamp(z, short.MinValue, short.MaxValue);
        }

        // Normalise to a loud talker (about -12 dBm0).
        double gain = 6000 / Signal.Rms(audio);
        for (int n = 0; n < audio.Length; n++)
        {
            audio[n] = (short)Math.Clamp(audio[n] * gain, short.MinValue, short.MaxValue);
        }

        Assert.True(Signal.Rms(audio) > 1000, "the test signal must be loud");
        Assert.Equal(string.Empty, Detect(audio));
    }

    [Fact]
    public void Digits_are_found_in_moderate_noise()
    {
        var random = new Random(9);
        short[] clean = [.. Digits("147", 80, 80)];
        // About 20 dB below the tones.
        short[] noisy = [.. clean.Select(s => (short)Math.Clamp(s + random.Next(-600, 600), short.MinValue, short.MaxValue))];
        Assert.Equal("147", Detect(noisy));
    }
}

namespace Intercom.TestSupport;

/// <summary>Test signals and measurements for codecs and rate conversion: tones, RMS, peak frequency, SNR against a tone or a reference.</summary>
public static class Signal
{
    public static short[] Tone(double frequency, int rate, int count, double amplitude = 10000, int start = 0) =>
        [.. Enumerable.Range(start, count).Select(n => (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * n / rate)))];

    public static double Rms(ReadOnlySpan<short> x)
    {
        double sum = 0;
        foreach (short s in x)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / Math.Max(1, x.Length));
    }

    /// <summary>Frequency with the largest DFT magnitude between <paramref name="from"/> and <paramref name="to"/>, searched in <paramref name="step"/> Hz steps.</summary>
    public static double PeakFrequency(ReadOnlySpan<short> x, int rate, double from = 50, double to = 4000, double step = 10)
    {
        double best = 0;
        double bestMagnitude = -1;
        for (double f = from; f <= to; f += step)
        {
            double re = 0;
            double im = 0;
            for (int n = 0; n < x.Length; n++)
            {
                double angle = 2 * Math.PI * f * n / rate;
                re += x[n] * Math.Cos(angle);
                im -= x[n] * Math.Sin(angle);
            }

            double magnitude = (re * re) + (im * im);
            if (magnitude > bestMagnitude)
            {
                bestMagnitude = magnitude;
                best = f;
            }
        }

        return best;
    }

    /// <summary>Signal to noise-and-distortion of a tone: the best-fitting sinusoid of <paramref name="frequency"/> against the rest.</summary>
    public static double ToneSnr(ReadOnlySpan<short> x, double frequency, int rate)
    {
        double a = 0;
        double b = 0;
        for (int n = 0; n < x.Length; n++)
        {
            double angle = 2 * Math.PI * frequency * n / rate;
            a += x[n] * Math.Sin(angle);
            b += x[n] * Math.Cos(angle);
        }

        a *= 2.0 / x.Length;
        b *= 2.0 / x.Length;
        double signal = 0;
        double noise = 0;
        for (int n = 0; n < x.Length; n++)
        {
            double angle = 2 * Math.PI * frequency * n / rate;
            double fit = (a * Math.Sin(angle)) + (b * Math.Cos(angle));
            signal += fit * fit;
            noise += (x[n] - fit) * (x[n] - fit);
        }

        return 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
    }

    /// <summary>SNR of <paramref name="actual"/> against <paramref name="reference"/> at the best delay in 0..maxDelay.</summary>
    public static (double SnrDb, int Delay) BestSnr(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual, int maxDelay, int skip = 0)
    {
        double bestSnr = double.MinValue;
        int bestDelay = 0;
        for (int delay = 0; delay <= maxDelay; delay++)
        {
            double signal = 0;
            double noise = 0;
            for (int n = skip; n + delay < actual.Length && n < reference.Length; n++)
            {
                double e = actual[n + delay] - reference[n];
                signal += (double)reference[n] * reference[n];
                noise += e * e;
            }

            double snr = 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
            if (snr > bestSnr)
            {
                bestSnr = snr;
                bestDelay = delay;
            }
        }

        return (bestSnr, bestDelay);
    }
}

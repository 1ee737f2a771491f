using System.Buffers.Binary;

namespace Intercom.Interop.Tests.Media;

/// <summary>Measurements on recorded audio: WAV reading, a tone's share of the energy (Goertzel), its frequency, gaps.</summary>
internal static class AudioCheck
{
    /// <summary>Reads a PCM16 WAV file (first channel) as written by baresip's sndfile module.</summary>
    public static (short[] Samples, int SampleRate) ReadWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int channels = 1, rate = 0, bits = 16;
        var position = 12;
        while (position + 8 <= bytes.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(bytes, position, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position + 4));
            var body = position + 8;
            if (id == "fmt ")
            {
                channels = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(body + 4));
                bits = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + 14));
            }
            else if (id == "data")
            {
                Assert.Equal(16, bits);
                // A file still being written (or closed without its header update) says 0 or too much: take what is there.
                var length = size <= 0 || body + size > bytes.Length ? bytes.Length - body : size;
                var frames = length / (2 * channels);
                var samples = new short[frames];
                for (var i = 0; i < frames; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + (i * 2 * channels)));
                }

                return (samples, rate);
            }

            position = body + size + (size & 1);
        }

        throw new InvalidDataException($"{path}: no data chunk");
    }

    public static double Rms(ReadOnlySpan<short> x)
    {
        double sum = 0;
        foreach (var s in x)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / Math.Max(1, x.Length));
    }

    /// <summary>Share of the signal's energy at <paramref name="frequency"/> (Goertzel over the whole span), 0 … 1.</summary>
    public static double ToneShare(ReadOnlySpan<short> x, double frequency, int rate)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / rate);
        double s1 = 0, s2 = 0, total = 0;
        foreach (var sample in x)
        {
            var s0 = sample + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
            total += (double)sample * sample;
        }

        var power = (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
        // A sine of amplitude A: Goertzel power A²N²/4, energy A²N/2.
        return power * 2 / x.Length / Math.Max(total, 1e-9);
    }

    /// <summary>
    /// The tone's share of the energy in each 40 ms window (bins 25 Hz wide, so a phase jump where the jitter buffer dropped
    /// or concealed a frame, or a clock a little off, does not cancel the tone as one long Goertzel would): the median share,
    /// and the fraction of windows where the tone holds at least half of the energy.
    /// </summary>
    public static (double Median, double Steady) WindowedToneShare(ReadOnlySpan<short> x, double frequency, int rate)
    {
        var window = rate / 25;
        var shares = new List<double>();
        for (var start = 0; start + window <= x.Length; start += window)
        {
            shares.Add(ToneShare(x.Slice(start, window), frequency, rate));
        }

        shares.Sort();
        return (shares[shares.Count / 2], shares.Count(s => s >= 0.5) / (double)shares.Count);
    }

    /// <summary>The longest run of 10 ms windows quieter than a tenth of the span's median level, in ms.</summary>
    public static int LongestGapMs(ReadOnlySpan<short> x, int rate)
    {
        var window = rate / 100;
        var levels = new List<double>();
        for (var start = 0; start + window <= x.Length; start += window)
        {
            levels.Add(Rms(x.Slice(start, window)));
        }

        var median = levels.Order().ElementAt(levels.Count / 2);
        int longest = 0, run = 0;
        foreach (var level in levels)
        {
            run = level < median / 10 ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest * 10;
    }

    /// <summary>The last stretch of sound (10 ms windows above <paramref name="threshold"/> RMS, pauses up to 100 ms bridged).</summary>
    public static ReadOnlySpan<short> LastSound(short[] x, int rate, double threshold = 300)
    {
        var window = rate / 100;
        int end = -1, start = -1, quiet = 0;
        for (var w = (x.Length / window) - 1; w >= 0; w--)
        {
            var loud = Rms(x.AsSpan(w * window, window)) > threshold;
            if (end < 0)
            {
                if (loud)
                {
                    end = (w + 1) * window;
                    start = w * window;
                }

                continue;
            }

            if (loud)
            {
                start = w * window;
                quiet = 0;
            }
            else if (++quiet > 10)
            {
                break;
            }
        }

        return end < 0 ? [] : x.AsSpan(start, end - start);
    }
}

using Intercom.Dsp;

namespace Intercom.Audio;

/// <summary>Level arithmetic on 16-bit PCM: dB conversions, saturating gain and mixing.</summary>
internal static class Gain
{
    public static float FromDb(double db) => (float)Math.Pow(10, db / 20);

    /// <summary>Multiplies in place, clipping at full scale instead of wrapping.</summary>
    public static void Apply(Span<short> samples, float gain)
    {
        if (gain == 1f)
        {
            return;
        }

        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = Pcm16.Saturate(samples[i] * gain);
        }
    }

    /// <summary>Adds <paramref name="source"/> into <paramref name="target"/>, clipping at full scale (a saturating mix).</summary>
    public static void MixInto(Span<short> target, ReadOnlySpan<short> source)
    {
        var n = Math.Min(target.Length, source.Length);
        for (var i = 0; i < n; i++)
        {
            target[i] = (short)Math.Clamp(target[i] + source[i], short.MinValue, short.MaxValue);
        }
    }

    /// <summary>Mean power in dB relative to a full-scale sine (dBFS, so a full-scale sine reads 0 dBFS); −120 for silence.</summary>
    public static double LevelDbfs(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return -120;
        }

        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        var meanSquare = sum / samples.Length;
        const double FullScaleSineMeanSquare = 32767.0 * 32767.0 / 2;
        return meanSquare <= 0 ? -120 : Math.Max(-120, 10 * Math.Log10(meanSquare / FullScaleSineMeanSquare));
    }
}

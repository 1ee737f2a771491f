namespace Intercom.Audio.Tests;

/// <summary>Test signals and measurements: sines, ramps, levels, frequency by zero crossings and by Goertzel.</summary>
internal static class Signals
{
    public static short[] Sine(double frequency, double levelDbfs, int sampleRate, int samples, double phase = 0)
    {
        var amplitude = 32767 * Math.Pow(10, levelDbfs / 20);
        var result = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            result[i] = (short)Math.Round(amplitude * Math.Sin((2 * Math.PI * frequency * i / sampleRate) + phase));
        }

        return result;
    }

    /// <summary>A counter signal: sample i is (i × 7) wrapped to 16 bits; any gap, repeat or reorder breaks the sequence.</summary>
    public static short Ramp(long index) => unchecked((short)(index * 7));

    public static short[] RampSamples(int samples)
    {
        var result = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            result[i] = Ramp(i);
        }

        return result;
    }

    /// <summary>Level relative to a full-scale sine.</summary>
    public static double LevelDbfs(ReadOnlySpan<short> samples) => Gain.LevelDbfs(samples);

    /// <summary>Frequency from rising zero crossings (with linear interpolation between samples).</summary>
    public static double ZeroCrossingFrequency(ReadOnlySpan<short> samples, int sampleRate)
    {
        double first = -1, last = -1;
        var crossings = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                var t = i - 1 + ((double)-samples[i - 1] / (samples[i] - samples[i - 1]));
                if (first < 0)
                {
                    first = t;
                }
                else
                {
                    crossings++;
                }

                last = t;
            }
        }

        return crossings == 0 ? 0 : crossings * sampleRate / (last - first);
    }

    /// <summary>Power of one frequency (Goertzel), in dB relative to a full-scale sine at that frequency.</summary>
    public static double GoertzelDbfs(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double s1 = 0, s2 = 0;
        foreach (var x in samples)
        {
            var s0 = x + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        var power = (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
        var amplitude = 2 * Math.Sqrt(Math.Max(power, 0)) / samples.Length;
        return 20 * Math.Log10(Math.Max(amplitude, 1e-9) / 32767);
    }

    public static byte[] ToRaw(ReadOnlySpan<short> samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), samples[i]);
        }

        return bytes;
    }

    public static short[] FromRaw(ReadOnlySpan<byte> bytes)
    {
        var samples = new short[bytes.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(bytes[(i * 2)..]);
        }

        return samples;
    }
}

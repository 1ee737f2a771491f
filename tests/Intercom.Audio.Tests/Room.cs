namespace Intercom.Audio.Tests;

/// <summary>
/// A simulated door-station enclosure: the speaker's sound reaches the microphone after a delay, attenuated, followed by a
/// decaying reverberation tail, with background noise added; and a speech-like test signal.
/// </summary>
internal sealed class Room
{
    private readonly float[] impulse;
    private readonly Random random;
    private readonly double noiseAmplitude;

    public Room(int sampleRate, int delayMs, double attenuationDb, int tailMs, double noiseDbfs, int seed)
    {
        random = new Random(seed);
        var delay = sampleRate * delayMs / 1000;
        var tail = sampleRate * tailMs / 1000;
        impulse = new float[delay + tail];
        var direct = Math.Pow(10, -attenuationDb / 20);
        impulse[delay] = (float)direct;

        // Reflections: random signs, decaying 60 dB over the tail, starting 12 dB under the direct sound.
        for (var i = 1; i < tail; i++)
        {
            var decay = Math.Pow(10, -3.0 * i / tail);
            impulse[delay + i] += (float)(direct * 0.25 * decay * ((random.NextDouble() * 2) - 1));
        }

        noiseAmplitude = 32767 * Math.Pow(10, noiseDbfs / 20) * Math.Sqrt(3); // uniform noise of that RMS
    }

    /// <summary>What the microphone hears at hardware sample <paramref name="index"/> of the speaker's output <paramref name="air"/>.</summary>
    public double EchoAt(ReadOnlySpan<short> air, long index)
    {
        double acc = 0;
        var taps = (int)Math.Min(impulse.Length, index + 1);
        for (var k = 0; k < taps; k++)
        {
            acc += impulse[k] * air[(int)(index - k)];
        }

        return acc + (noiseAmplitude * ((random.NextDouble() * 2) - 1));
    }

    /// <summary>The echo of all of <paramref name="played"/> as the microphone hears it, noise included.</summary>
    public short[] Echo(ReadOnlySpan<short> played)
    {
        var source = new float[played.Length];
        for (var n = 0; n < played.Length; n++)
        {
            source[n] = played[n];
        }

        var echo = new float[played.Length];
        for (var k = 0; k < impulse.Length; k++)
        {
            var h = impulse[k];
            if (h == 0 || k >= echo.Length)
            {
                continue;
            }

            // echo[n] += h[k] · played[n − k], vectorised.
            var target = echo.AsSpan(k);
            var input = source.AsSpan(0, target.Length);
            var i = 0;
            var weight = new System.Numerics.Vector<float>(h);
            for (; i <= target.Length - System.Numerics.Vector<float>.Count; i += System.Numerics.Vector<float>.Count)
            {
                var sum = new System.Numerics.Vector<float>(target[i..]) + (weight * new System.Numerics.Vector<float>(input[i..]));
                sum.CopyTo(target[i..]);
            }

            for (; i < target.Length; i++)
            {
                target[i] += h * input[i];
            }
        }

        var microphone = new short[played.Length];
        for (var n = 0; n < microphone.Length; n++)
        {
            var value = echo[n] + (noiseAmplitude * ((random.NextDouble() * 2) - 1));
            microphone[n] = (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
        }

        return microphone;
    }

    /// <summary>
    /// A speech-like signal: a voiced source (harmonics of a gliding 100–220 Hz pitch with a −6 dB/octave slope), through two
    /// moving formant-like resonances, with some breath noise, in syllables of 150–300 ms with pauses, at about <paramref name="levelDbfs"/> when voiced.
    /// </summary>
    public static short[] Speech(int sampleRate, int samples, double levelDbfs, int seed)
    {
        var random = new Random(seed);
        var output = new double[samples];
        var phase = 0.0;
        var i = 0;
        while (i < samples)
        {
            var syllable = sampleRate * random.Next(150, 300) / 1000;
            var pause = sampleRate * random.Next(40, 200) / 1000;
            var pitch = 100 + (random.NextDouble() * 120);
            var glide = (random.NextDouble() - 0.5) * 60;
            var f1 = 300 + (random.NextDouble() * 500);
            var f2 = 900 + (random.NextDouble() * 1500);
            for (var n = 0; n < syllable && i < samples; n++, i++)
            {
                var t = (double)n / syllable;
                var f0 = pitch + (glide * t);
                phase += 2 * Math.PI * f0 / sampleRate;
                double sum = 0;
                for (var h = 1; f0 * h < sampleRate / 2.2; h++)
                {
                    var f = f0 * h;
                    var formant = (1 / (1 + Math.Pow((f - f1) / 150, 2))) + (0.6 / (1 + Math.Pow((f - f2) / 250, 2)));
                    sum += Math.Sin(phase * h) * (0.2 + formant) / h;
                }

                // Plus an unvoiced (breath, fricative) part, as real speech has, under the syllable envelope.
                output[i] = (sum + (0.15 * ((random.NextDouble() * 2) - 1))) * Math.Sin(Math.PI * t);
            }

            i += pause;
        }

        double power = 0;
        var voiced = 0;
        foreach (var x in output)
        {
            if (x != 0)
            {
                power += x * x;
                voiced++;
            }
        }

        var scale = 32767 * Math.Pow(10, levelDbfs / 20) / Math.Sqrt(2 * power / Math.Max(voiced, 1));
        var result = new short[samples];
        for (var n = 0; n < samples; n++)
        {
            result[n] = (short)Math.Clamp(Math.Round(output[n] * scale), short.MinValue, short.MaxValue);
        }

        return result;
    }
}

using System.Numerics.Tensors;

namespace Intercom.Dsp;

/// <summary>
/// Streaming rational resampler (polyphase windowed-sinc), the one rate converter of the station: between a sound card's
/// own rate and the engine's (a USB card fixed at 48 or 44.1 kHz, Intercom.Audio) and between the engine's rate and the
/// codec's (G.711 at 8 kHz, G.722 at 16 kHz, Intercom.Media). The low-pass cuts at 0.92 of the lower Nyquist frequency with
/// a Kaiser window (β = 8, about 80 dB of stopband), taps normalised for unity DC gain. Each output sample is one SIMD dot
/// product (TensorPrimitives): at 48 kHz ↔ 16 kHz that is about 100 taps per sample.
/// Blocks of any length are accepted (the fraction of an output period carries over), and the history starts as a full
/// window of silence, so every block of N input samples gives N·out/in samples whenever that is a whole number: a 20 ms
/// frame in is exactly a 20 ms frame out, from the first frame on. The group delay is half the filter length (under 1 ms
/// at 48 kHz, about 2 ms at 8 kHz). Allocation-free after construction; one instance per stream and direction.
/// </summary>
public sealed class Resampler
{
    private const int ZeroCrossings = 16;
    private const double Rolloff = 0.92;
    private const double KaiserBeta = 8.0;

    private readonly int up;      // L: output samples per M input samples
    private readonly int down;    // M
    private readonly int taps;    // T, taps per phase
    private readonly float[] coefficients; // [phase * taps + j]
    private readonly float[] history;
    private int count;   // valid samples in history
    private int position; // integer input index (in history) of the next output sample
    private int phase;    // fractional part, in 1/L input samples

    /// <summary>Creates a converter for blocks of at most <paramref name="maxInputBlock"/> samples.</summary>
    public Resampler(int inputRate, int outputRate, int maxInputBlock)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxInputBlock);
        MaxInputBlock = maxInputBlock;
        InputRate = inputRate;
        OutputRate = outputRate;
        var g = Gcd(inputRate, outputRate);
        up = outputRate / g;
        down = inputRate / g;
        var cutoff = Math.Min(1.0, (double)up / down) * Rolloff; // relative to the input Nyquist frequency
        var halfWidth = (int)Math.Ceiling(ZeroCrossings / cutoff);
        taps = 2 * halfWidth;
        coefficients = new float[up * taps];
        for (var p = 0; p < up; p++)
        {
            double sum = 0;
            for (var j = 0; j < taps; j++)
            {
                // Output instant t = i + p/L; tap j weighs input i - halfWidth + 1 + j, at distance tau = t - k.
                var tau = (double)p / up + halfWidth - 1 - j;
                var h = cutoff * Sinc(cutoff * tau) * Kaiser(tau / halfWidth);
                coefficients[(p * taps) + j] = (float)h;
                sum += h;
            }

            for (var j = 0; j < taps; j++)
            {
                coefficients[(p * taps) + j] = (float)(coefficients[(p * taps) + j] / sum);
            }
        }

        history = new float[taps + maxInputBlock + 1];

        // Start with a whole window of silence: the first output is centred half a window before the first input sample,
        // so the filter's look-ahead is paid as delay (as a hardware converter pays it) rather than as a short first block.
        count = taps;
        position = halfWidth;
    }

    /// <summary>Input sample rate.</summary>
    public int InputRate { get; }

    /// <summary>Output sample rate.</summary>
    public int OutputRate { get; }

    /// <summary>The longest block <see cref="Process"/> accepts.</summary>
    public int MaxInputBlock { get; }

    /// <summary>Output samples the next call may produce at most for <paramref name="inputSamples"/> input samples.</summary>
    public int MaxOutput(int inputSamples) => (int)(((long)(inputSamples + taps) * up / down) + 2);

    /// <summary>Resamples <paramref name="input"/> (at most the block size given at construction) into <paramref name="output"/>; returns samples written.</summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        if (input.Length > MaxInputBlock)
        {
            // The caller's frame size is fixed at construction: a longer block is a bug, not a condition of the stream.
            throw new ArgumentException($"a block of {input.Length} samples is longer than the {MaxInputBlock} this converter was made for", nameof(input));
        }

        if (up == down)
        {
            input.CopyTo(output);
            return input.Length;
        }

        for (var i = 0; i < input.Length; i++)
        {
            history[count + i] = input[i];
        }

        count += input.Length;
        var half = taps / 2;
        var written = 0;
        var coef = coefficients.AsSpan();
        while (position + half < count && written < output.Length)
        {
            var window = history.AsSpan(position - half + 1, taps);
            var h = coef.Slice(phase * taps, taps);
            output[written++] = Pcm16.Saturate(TensorPrimitives.Dot(window, h));
            phase += down;
            position += phase / up;
            phase %= up;
        }

        // Keep only what future outputs still need (from position - half + 1 on).
        var keepFrom = Math.Min(position - half + 1, count);
        if (keepFrom > 0)
        {
            history.AsSpan(keepFrom, count - keepFrom).CopyTo(history);
            count -= keepFrom;
            position -= keepFrom;
        }

        return written;
    }

    private static double Sinc(double x) => Math.Abs(x) < 1e-12 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);

    private static double Kaiser(double x)
    {
        if (Math.Abs(x) >= 1)
        {
            return 0;
        }

        return BesselI0(KaiserBeta * Math.Sqrt(1 - (x * x))) / BesselI0(KaiserBeta);
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1;
        for (var k = 1; k < 50; k++)
        {
            term *= x / (2 * k);
            var t2 = term * term;
            sum += t2;
            if (t2 < sum * 1e-16)
            {
                break;
            }
        }

        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}

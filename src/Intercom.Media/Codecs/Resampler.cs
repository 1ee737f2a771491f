using System.Numerics.Tensors;

namespace Intercom.Media.Codecs;

/// <summary>
/// Streaming sample-rate converter between 8, 16 and 48 kHz (any integer ratio L/M): a polyphase windowed-sinc low-pass
/// (Blackman window, cut-off at 0.45 of the lower rate) evaluated only at the output instants. Each call converts a block
/// whose length is a multiple of the decimation factor (any 20 ms frame), keeping the filter history between calls.
/// Allocation-free after construction; one instance per stream. Each phase's taps are stored oldest-first, so an output
/// sample is one SIMD dot product over contiguous history (it was the largest managed cost of a resampled call).
/// </summary>
public sealed class Resampler
{
    private const int TapsPerRate = 24;
    private const int MaxInput = 48000 / 10;

    private readonly int _up;
    private readonly int _down;
    private readonly int _tapsPerPhase;
    private readonly float[] _phases; // phase p: taps [p * _tapsPerPhase, (p + 1) * _tapsPerPhase), oldest sample first
    private readonly float[] _work;

    /// <summary>Creates a converter from <paramref name="inputRate"/> to <paramref name="outputRate"/>.</summary>
    public Resampler(int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        InputRate = inputRate;
        OutputRate = outputRate;
        int gcd = Gcd(inputRate, outputRate);
        _up = outputRate / gcd;
        _down = inputRate / gcd;
        if (_up > 48 || _down > 48)
        {
            throw new ArgumentException("ratio too complex for this converter");
        }

        // The filter spans 24 periods of the faster of the two rate steps, so decimation gets a long enough filter too.
        _tapsPerPhase = TapsPerRate * Math.Max(_up, _down) / _up;
        int length = _up * _tapsPerPhase;
        var filter = new float[length];
        double cutoff = 0.45 * Math.Min(inputRate, outputRate) / (inputRate * (double)_up);
        double centre = (length - 1) / 2.0;
        for (int k = 0; k < length; k++)
        {
            double t = k - centre;
            double sinc = t == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
            double window = 0.42 - (0.5 * Math.Cos(2 * Math.PI * k / (length - 1))) + (0.08 * Math.Cos(4 * Math.PI * k / (length - 1)));
            // Gain L restores the level lost by inserting L-1 zeros.
            filter[k] = (float)(sinc * window * _up);
        }

        // Tap t of phase p (filter[p + t * L]) weighs the sample t steps before the newest: reversed, they line up with the
        // history in memory order.
        _phases = new float[length];
        for (int p = 0; p < _up; p++)
        {
            for (int t = 0; t < _tapsPerPhase; t++)
            {
                _phases[(p * _tapsPerPhase) + (_tapsPerPhase - 1 - t)] = filter[p + (t * _up)];
            }
        }

        _work = new float[_tapsPerPhase - 1 + MaxInput];
    }

    /// <summary>Input sample rate.</summary>
    public int InputRate { get; }

    /// <summary>Output sample rate.</summary>
    public int OutputRate { get; }

    /// <summary>Output samples produced for <paramref name="inputLength"/> input samples.</summary>
    public int OutputLength(int inputLength) => inputLength * _up / _down;

    /// <summary>Converts <paramref name="input"/>; returns the number of samples written, 0 if the block is not convertible.</summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        int outputLength = OutputLength(input.Length);
        if (input.Length % _down != 0 || input.Length > MaxInput || output.Length < outputLength)
        {
            return 0;
        }

        if (_up == 1 && _down == 1)
        {
            input.CopyTo(output);
            return input.Length;
        }

        // _work = [history of TapsPerPhase-1 samples][input].
        int history = _tapsPerPhase - 1;
        for (int i = 0; i < input.Length; i++)
        {
            _work[history + i] = input[i];
        }

        for (int n = 0; n < outputLength; n++)
        {
            // Position n*M in the up-sampled signal; the taps that land on real (non-inserted) samples end at the newest
            // input sample at or before it, history + position / L.
            int position = n * _down;
            int phase = position % _up;
            float sum = TensorPrimitives.Dot(_phases.AsSpan(phase * _tapsPerPhase, _tapsPerPhase), _work.AsSpan(position / _up, _tapsPerPhase));
            output[n] = (short)Math.Clamp(MathF.Round(sum), short.MinValue, short.MaxValue);
        }

        _work.AsSpan(input.Length, history).CopyTo(_work);
        return outputLength;
    }

    /// <summary>Clears the history.</summary>
    public void Reset() => Array.Clear(_work);

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}

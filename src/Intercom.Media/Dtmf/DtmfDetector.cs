using Intercom.Dsp;

namespace Intercom.Media.Dtmf;

/// <summary>
/// In-band DTMF detection by the Goertzel algorithm against ITU-T Q.24: 20 ms windows every 10 ms; for each window the
/// strongest low-group and high-group frequencies must be clearly above the others, above a minimum level, within the twist
/// limits, hold most of the window's energy (which rejects speech and noise), and lie nearer their nominal frequency than
/// the ±3.5 % reject points (accepting ±1.5 %). A digit is reported once, when three consecutive windows agree (a 40 ms
/// span, so 40 ms tones are caught at any alignment and 20 ms bursts are not), and the next one needs a pause or a
/// different digit. Allocation-free; one instance per stream.
/// </summary>
public sealed class DtmfDetector
{
    private const double RejectDeviation = 0.035;
    private const double MaxReverseTwistDb = 4;
    private const double MaxNormalTwistDb = 8;
    private const double MinimumLevelDbm0 = -30;
    private const double ToneEnergyShare = 0.6;
    private const double NeighbourRatioDb = 8;

    // Three windows 10 ms apart span 40 ms: a 20 ms burst can satisfy two partly covered windows, never three.
    private const int ConfirmWindows = 3;

    private readonly int _window;
    private readonly int _hop;
    private readonly float[] _samples;
    private readonly double[] _coefficients = new double[24];
    private readonly double _minimumEnergy;
    private int _fill;
    private char _candidate;
    private int _candidateCount;
    private char _reported;

    /// <summary>Creates a detector for PCM at <paramref name="sampleRate"/>.</summary>
    public DtmfDetector(int sampleRate = 8000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        _window = sampleRate / 50;
        _hop = sampleRate / 100;
        _samples = new float[_window];
        for (int i = 0; i < 4; i++)
        {
            SetFrequency(i, TonePattern.DtmfLowGroup[i], sampleRate);
            SetFrequency(4 + i, TonePattern.DtmfHighGroup[i], sampleRate);
        }

        // Energy of a -30 dBm0 sine over one window (full scale sine = +3.14 dBm0).
        double amplitude = 32767 * Math.Pow(10, (MinimumLevelDbm0 - 3.14) / 20);
        _minimumEnergy = Power(amplitude);
    }

    /// <summary>Feeds audio; writes newly detected digits to <paramref name="digits"/> and returns how many.</summary>
    public int Process(ReadOnlySpan<short> pcm, Span<char> digits)
    {
        int found = 0;
        foreach (short sample in pcm)
        {
            _samples[_fill++] = sample;
            if (_fill < _window)
            {
                continue;
            }

            char digit = Analyse();
            Array.Copy(_samples, _hop, _samples, 0, _window - _hop);
            _fill = _window - _hop;
            if (digit != '\0' && digit == _candidate)
            {
                if (++_candidateCount == ConfirmWindows && digit != _reported && found < digits.Length)
                {
                    digits[found++] = digit;
                    _reported = digit;
                }
            }
            else
            {
                _candidate = digit;
                _candidateCount = digit == '\0' ? 0 : 1;
                if (digit == '\0')
                {
                    _reported = '\0';
                }
            }
        }

        return found;
    }

    /// <summary>Forgets partial windows and the last digit.</summary>
    public void Reset()
    {
        _fill = 0;
        _candidate = '\0';
        _candidateCount = 0;
        _reported = '\0';
    }

    private void SetFrequency(int index, double frequency, int sampleRate)
    {
        _coefficients[index] = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        _coefficients[8 + index] = 2 * Math.Cos(2 * Math.PI * frequency * (1 - RejectDeviation) / sampleRate);
        _coefficients[16 + index] = 2 * Math.Cos(2 * Math.PI * frequency * (1 + RejectDeviation) / sampleRate);
    }

    private double Power(double amplitude) => amplitude * amplitude * _window * _window / 4;

    private double Goertzel(int index)
    {
        double coefficient = _coefficients[index];
        double s1 = 0;
        double s2 = 0;
        for (int n = 0; n < _window; n++)
        {
            double s0 = _samples[n] + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
    }

    private char Analyse()
    {
        Span<double> energy = stackalloc double[8];
        int row = 0;
        int column = 4;
        for (int i = 0; i < 8; i++)
        {
            energy[i] = Goertzel(i);
            if (i < 4 && energy[i] > energy[row])
            {
                row = i;
            }
            else if (i >= 4 && energy[i] > energy[column])
            {
                column = i;
            }
        }

        if (energy[row] < _minimumEnergy || energy[column] < _minimumEnergy)
        {
            return '\0';
        }

        // Twist: the high group may be up to 4 dB above (reverse) or 8 dB below (normal) the low group.
        double twistDb = 10 * Math.Log10(energy[column] / energy[row]);
        if (twistDb > MaxReverseTwistDb || twistDb < -MaxNormalTwistDb)
        {
            return '\0';
        }

        // Each tone must stand out from the other frequencies of its group.
        double neighbour = Math.Pow(10, NeighbourRatioDb / 10);
        for (int i = 0; i < 8; i++)
        {
            if (i != row && i != column && energy[i] * neighbour > energy[i < 4 ? row : column])
            {
                return '\0';
            }
        }

        // Frequency deviation: a tone beyond ±3.5 % is nearer a reject probe than its nominal frequency.
        if (Goertzel(8 + row) > energy[row] || Goertzel(16 + row) > energy[row]
            || Goertzel(8 + column) > energy[column] || Goertzel(16 + column) > energy[column])
        {
            return '\0';
        }

        // The two tones must carry most of the window's energy (speech and noise spread theirs). Goertzel energy of a
        // sine of amplitude A is A²N²/4 and its time-domain energy A²N/2, hence the factor 2/N.
        double total = 0;
        for (int n = 0; n < _window; n++)
        {
            total += _samples[n] * (double)_samples[n];
        }

        double tones = (energy[row] + energy[column]) * 2 / _window;
        if (tones < ToneEnergyShare * total)
        {
            return '\0';
        }

        return "123A456B789C*0#D"[(row * 4) + (column - 4)];
    }
}

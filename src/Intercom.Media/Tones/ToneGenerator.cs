namespace Intercom.Media.Tones;

/// <summary>
/// Plays a <see cref="TonePattern"/> as 16-bit PCM, phase-continuous across calls and segment boundaries with the same
/// frequency. Allocation-free; one instance per stream.
/// </summary>
public sealed class ToneGenerator
{
    // A full-scale 16-bit sine is +3.14 dBm0 (G.711 §A.1 µ-law convention).
    private const double FullScaleDbm0 = 3.14;

    private readonly int _sampleRate;
    private TonePattern _pattern;
    private int _segment;
    private int _samplesLeft;
    private double _phase1;
    private double _phase2;

    /// <summary>Creates a generator at <paramref name="sampleRate"/> playing <paramref name="pattern"/>.</summary>
    public ToneGenerator(TonePattern pattern, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        _sampleRate = sampleRate;
        _pattern = pattern;
        Restart(pattern);
    }

    /// <summary>True once a non-repeating pattern has played out.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Starts <paramref name="pattern"/> from its beginning.</summary>
    public void Restart(TonePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        _pattern = pattern;
        _segment = 0;
        _samplesLeft = Samples(pattern.Segments[0]);
        IsFinished = false;
        _phase1 = 0;
        _phase2 = 0;
    }

    /// <summary>Fills <paramref name="pcm"/>; after a non-repeating pattern ends the rest is silence. Returns the samples written.</summary>
    public int Read(Span<short> pcm)
    {
        for (int i = 0; i < pcm.Length; i++)
        {
            while (!IsFinished && _samplesLeft == 0)
            {
                Advance();
            }

            if (IsFinished)
            {
                pcm[i..].Clear();
                break;
            }

            ToneSegment segment = _pattern.Segments[_segment];
            double amplitude = 32767 * Math.Pow(10, (segment.LevelDbm0 - FullScaleDbm0) / 20);
            double value = 0;
            if (segment.Frequency1 > 0)
            {
                value += amplitude * Math.Sin(_phase1);
                _phase1 += 2 * Math.PI * segment.Frequency1 / _sampleRate;
            }

            if (segment.Frequency2 > 0)
            {
                value += amplitude * Math.Sin(_phase2);
                _phase2 += 2 * Math.PI * segment.Frequency2 / _sampleRate;
            }

            pcm[i] = (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
            _samplesLeft--;
        }

        _phase1 %= 2 * Math.PI;
        _phase2 %= 2 * Math.PI;
        return pcm.Length;
    }

    private void Advance()
    {
        _segment++;
        if (_segment == _pattern.Segments.Count)
        {
            if (!_pattern.Repeat)
            {
                IsFinished = true;
                return;
            }

            _segment = 0;
        }

        _samplesLeft = Samples(_pattern.Segments[_segment]);
    }

    private int Samples(ToneSegment segment) => (int)((long)segment.DurationMs * _sampleRate / 1000);
}

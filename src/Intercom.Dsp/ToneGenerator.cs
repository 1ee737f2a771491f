namespace Intercom.Dsp;

/// <summary>
/// Plays a <see cref="TonePattern"/> as 16-bit PCM, phase-continuous across calls and segment boundaries with the same
/// frequency: the station's local sounds (ringback, beeps) and test signals (DTMF, call-progress tones). With a fade,
/// each sounding segment rises and falls over a few milliseconds so a loudspeaker does not click; without one the
/// cadence edges are exact, as a signalling tone needs. Allocation-free; one instance per stream.
/// </summary>
public sealed class ToneGenerator
{
    /// <summary>A full-scale 16-bit sine is +3.14 dBm0 (G.711 §A.1 µ-law convention).</summary>
    public const double FullScaleDbm0 = 3.14;

    private readonly int _sampleRate;
    private readonly int _fadeSamples;
    private TonePattern _pattern;
    private int _segment;
    private int _samplesLeft;
    private int _segmentSamples;
    private double _amplitude;
    private double _phase1;
    private double _phase2;

    /// <summary>Creates a generator at <paramref name="sampleRate"/> playing <paramref name="pattern"/>.</summary>
    /// <param name="fadeMs">Rise and fall of each sounding segment (0: hard edges).</param>
    public ToneGenerator(TonePattern pattern, int sampleRate, int fadeMs = 0)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        ArgumentOutOfRangeException.ThrowIfNegative(fadeMs);
        _sampleRate = sampleRate;
        _fadeSamples = sampleRate * fadeMs / 1000;
        _pattern = pattern;
        Restart(pattern);
    }

    /// <summary>True once a non-repeating pattern has played out (set with its last sample, not one read later).</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Starts the current pattern again from its beginning.</summary>
    public void Restart() => Restart(_pattern);

    /// <summary>Starts <paramref name="pattern"/> from its beginning.</summary>
    public void Restart(TonePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        _pattern = pattern;
        _segment = 0;
        IsFinished = false;
        _phase1 = 0;
        _phase2 = 0;
        Enter(pattern.Segments[0]);
    }

    /// <summary>Fills <paramref name="pcm"/>; after a non-repeating pattern ends the rest is silence. Returns the samples written.</summary>
    public int Read(Span<short> pcm)
    {
        for (int i = 0; i < pcm.Length; i++)
        {
            if (IsFinished)
            {
                pcm[i..].Clear();
                break;
            }

            ToneSegment segment = _pattern.Segments[_segment];
            double value = 0;
            if (segment.Frequency1 > 0)
            {
                value += Math.Sin(_phase1);
                _phase1 += 2 * Math.PI * segment.Frequency1 / _sampleRate;
            }

            if (segment.Frequency2 > 0)
            {
                value += Math.Sin(_phase2);
                _phase2 += 2 * Math.PI * segment.Frequency2 / _sampleRate;
            }

            double envelope = 1;
            if (_fadeSamples > 0)
            {
                int played = _segmentSamples - _samplesLeft;
                envelope = Math.Min(1.0, Math.Min(played, _samplesLeft - 1) / (double)_fadeSamples);
            }

            pcm[i] = (short)Math.Clamp(Math.Round(value * _amplitude * envelope), short.MinValue, short.MaxValue);
            if (--_samplesLeft == 0)
            {
                Advance();
            }
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

        Enter(_pattern.Segments[_segment]);
    }

    private void Enter(ToneSegment segment)
    {
        // At least one sample, so a segment shorter than a sample period cannot stall the cadence.
        _segmentSamples = Math.Max(1, (int)((long)segment.DurationMs * _sampleRate / 1000));
        _samplesLeft = _segmentSamples;
        _amplitude = 32767 * Math.Pow(10, (segment.LevelDbm0 - FullScaleDbm0) / 20);
    }
}

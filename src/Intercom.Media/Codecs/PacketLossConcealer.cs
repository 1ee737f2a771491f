namespace Intercom.Media.Codecs;

/// <summary>
/// Waveform-substitution concealment in the manner of ITU-T G.711 Appendix I, for codecs without their own PLC (G.711,
/// G.722): the pitch period of the last good audio is found by autocorrelation, the last one to three periods are repeated
/// (more as the loss goes on, to avoid a buzzy tone), joined with a quarter-period overlap-add, attenuated by 20 % per
/// 10 ms after the first 10 ms and silent after 60 ms; the first good frame after a loss is cross-faded in.
/// Allocation-free after construction.
/// </summary>
public sealed class PacketLossConcealer
{
    private readonly int _sampleRate;
    private readonly short[] _history;
    private readonly float[] _pitchBuffer;
    private readonly int _minPitch;
    private readonly int _maxPitch;
    private readonly int _tenMs;
    private int _historyFill;
    private int _lostSamples;
    private int _pitch;
    private int _periods;
    private int _position;

    /// <summary>Creates a concealer for PCM at <paramref name="sampleRate"/>.</summary>
    public PacketLossConcealer(int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        _sampleRate = sampleRate;
        _tenMs = sampleRate / 100;
        // Pitch between 66 and 200 Hz (Appendix I: 40 to 120 samples at 8 kHz).
        _minPitch = sampleRate / 200;
        _maxPitch = sampleRate * 120 / 8000;
        _history = new short[(3 * _maxPitch) + (_maxPitch / 4) + _tenMs * 2];
        _pitchBuffer = new float[3 * _maxPitch];
    }

    /// <summary>True while the previous frame was concealed.</summary>
    public bool IsConcealing => _lostSamples > 0;

    /// <summary>Feeds a good decoded frame (call after every successful decode); cross-fades it if it ends a loss.</summary>
    public void OnGoodFrame(Span<short> pcm)
    {
        if (_lostSamples > 0)
        {
            // Cross-fade from the synthetic continuation into real audio: 4 ms, plus 4 ms per extra 10 ms of loss (max 10 ms).
            int fade = Math.Min(pcm.Length, Math.Min(_tenMs, (_sampleRate / 250) * (1 + (_lostSamples / _tenMs))));
            for (int i = 0; i < fade; i++)
            {
                float synthetic = NextSynthetic() * Gain(_lostSamples + i);
                float w = (i + 1) / (float)(fade + 1);
                pcm[i] = Clip((synthetic * (1 - w)) + (pcm[i] * w));
            }

            _lostSamples = 0;
        }

        Append(pcm);
    }

    /// <summary>Fills <paramref name="pcm"/> for a lost frame.</summary>
    public void Conceal(Span<short> pcm)
    {
        if (_lostSamples == 0)
        {
            StartLoss();
        }
        else if (_lostSamples % _tenMs == 0 && _periods < 3 && _lostSamples / _tenMs >= _periods)
        {
            // Each further 10 ms repeats one more pitch period (Appendix I §I.2.4).
            _periods++;
        }

        for (int i = 0; i < pcm.Length; i++)
        {
            pcm[i] = Clip(NextSynthetic() * Gain(_lostSamples));
            _lostSamples++;
        }

        Append(pcm);
    }

    /// <summary>Forgets the history.</summary>
    public void Reset()
    {
        _historyFill = 0;
        _lostSamples = 0;
    }

    private float Gain(int lostSamples)
    {
        // Full level for 10 ms, then -20 % per 10 ms, silent from 60 ms.
        if (lostSamples < _tenMs)
        {
            return 1f;
        }

        float gain = 1f - (0.2f * (lostSamples - _tenMs) / _tenMs);
        return gain > 0 ? gain : 0;
    }

    private float NextSynthetic()
    {
        int span = _pitch * _periods;
        float value = _pitchBuffer[_pitchBuffer.Length - span + (_position % span)];
        _position++;
        return value;
    }

    private void StartLoss()
    {
        int available = _historyFill;
        _pitch = available >= 2 * _maxPitch ? FindPitch() : Math.Max(_minPitch, Math.Min(_maxPitch, available / 2));
        _periods = 1;
        _position = 0;
        int copy = Math.Min(_pitchBuffer.Length, available);
        Array.Clear(_pitchBuffer);
        for (int i = 0; i < copy; i++)
        {
            _pitchBuffer[_pitchBuffer.Length - copy + i] = _history[_history.Length - copy + i];
        }

        // Where the repeated period wraps around, the end of the buffer is overlap-added over a quarter period with the
        // samples that preceded the period's start, so that the repetition joins without a click (Appendix I §I.2.3).
        int quarter = _pitch / 4;
        int end = _pitchBuffer.Length;
        int start = end - _pitch;
        for (int i = 0; i < quarter && start - quarter + i >= 0; i++)
        {
            float w = (i + 1) / (float)(quarter + 1);
            _pitchBuffer[end - quarter + i] = (_pitchBuffer[end - quarter + i] * (1 - w)) + (_pitchBuffer[start - quarter + i] * w);
        }

        if (available == 0)
        {
            _pitch = _minPitch;
        }
    }

    private int FindPitch()
    {
        // Maximise the normalised correlation of the last longest-pitch window with its lagged copy.
        int window = _maxPitch;
        int end = _history.Length;
        int best = _minPitch;
        double bestScore = double.MinValue;
        for (int lag = _minPitch; lag <= _maxPitch; lag++)
        {
            double correlation = 0;
            double energy = 1;
            for (int i = end - window; i < end; i++)
            {
                double lagged = _history[i - lag];
                correlation += _history[i] * lagged;
                energy += lagged * lagged;
            }

            double score = correlation / Math.Sqrt(energy);
            if (score > bestScore)
            {
                bestScore = score;
                best = lag;
            }
        }

        return best;
    }

    private void Append(ReadOnlySpan<short> pcm)
    {
        if (pcm.Length >= _history.Length)
        {
            pcm[^_history.Length..].CopyTo(_history);
        }
        else
        {
            _history.AsSpan(pcm.Length).CopyTo(_history);
            pcm.CopyTo(_history.AsSpan(_history.Length - pcm.Length));
        }

        _historyFill = Math.Min(_history.Length, _historyFill + pcm.Length);
    }

    private static short Clip(float value) => (short)Math.Clamp(MathF.Round(value), short.MinValue, short.MaxValue);
}

using BenchmarkDotNet.Attributes;
using Intercom.Dsp;

namespace Intercom.Benchmarks;

/// <summary>
/// The call path's rate conversion, one 20 ms frame per operation: a 16 kHz device with a G.711 call converts every
/// captured frame down to 8 kHz and every received frame up to 16 kHz; a USB card fixed at 48 kHz converts each of its
/// frames to and from the engine's 16 kHz (the sound-card side, Intercom.Audio). Both sides use the one Intercom.Dsp.Resampler.
/// </summary>
[MemoryDiagnoser]
public class ResamplerBenchmarks
{
    private readonly Resampler _down = new(16000, 8000, 320);
    private readonly Resampler _up = new(8000, 16000, 160);
    private readonly short[] _wide = new short[320];
    private readonly short[] _narrow = new short[160];
    private readonly Resampler _cardDown = new(48000, 16000, 960);
    private readonly Resampler _cardUp = new(16000, 48000, 320);
    private readonly short[] _card = new short[960];
    private readonly short[] _engine = new short[400];
    private readonly short[] _cardOut = new short[1100];

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < _wide.Length; i++)
        {
            _wide[i] = (short)(8000 * Math.Sin(2 * Math.PI * 1000 * i / 16000.0));
        }

        for (int i = 0; i < _card.Length; i++)
        {
            _card[i] = (short)(8000 * Math.Sin(2 * Math.PI * 1000 * i / 48000.0));
        }

        _down.Process(_wide, _narrow);
    }

    [Benchmark]
    public int Down16To8() => _down.Process(_wide, _narrow);

    [Benchmark]
    public int Up8To16() => _up.Process(_narrow, _wide);

    [Benchmark]
    public int CardDown48To16() => _cardDown.Process(_card, _engine);

    [Benchmark]
    public int CardUp16To48() => _cardUp.Process(_wide, _cardOut);
}

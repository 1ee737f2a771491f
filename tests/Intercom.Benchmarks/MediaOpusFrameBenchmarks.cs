using BenchmarkDotNet.Attributes;
using Intercom.Media.Sdp;

namespace Intercom.Benchmarks;

/// <summary>The Opus call-audio path: 20 ms frames at 16 kHz, 24 kbit/s with in-band FEC (the system libopus when installed).</summary>
[MemoryDiagnoser]
public class MediaOpusFrameBenchmarks : MediaFramePath
{
    [Params(false, true)]
    public bool Srtp { get; set; }

    [GlobalSetup]
    public void GlobalSetup() => Setup(MediaFormat.Opus, Srtp);

    [Benchmark]
    public long OpusSend() => Send();

    [Benchmark]
    public short OpusReceive() => Receive();
}

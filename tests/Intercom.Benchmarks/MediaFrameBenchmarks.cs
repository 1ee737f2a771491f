using BenchmarkDotNet.Attributes;
using Intercom.Media.Sdp;

namespace Intercom.Benchmarks;

/// <summary>The G.711 (PCMU) call-audio path: 20 ms frames at 16 kHz on the device side, 8 kHz on the wire.</summary>
[MemoryDiagnoser]
public class MediaFrameBenchmarks : MediaFramePath
{
    [Params(false, true)]
    public bool Srtp { get; set; }

    [GlobalSetup]
    public void GlobalSetup() => Setup(MediaFormat.Pcmu, Srtp);

    [Benchmark]
    public long G711Send() => Send();

    [Benchmark]
    public short G711Receive() => Receive();
}

using BenchmarkDotNet.Attributes;

namespace Intercom.Benchmarks;

/// <summary>The G.711 (PCMU) frame path: 160 samples per 20 ms.</summary>
[MemoryDiagnoser]
public class MediaFrameBenchmarks : MediaFramePath
{
    [Benchmark]
    public int G711SendPlain() => G711Send(protect: false);

    [Benchmark]
    public int G711SendSrtp() => G711Send(protect: true);

    [Benchmark]
    public int G711ReceivePlain() => G711Receive(srtp: false);

    [Benchmark]
    public int G711ReceiveSrtp() => G711Receive(srtp: true);
}

using BenchmarkDotNet.Attributes;

namespace Intercom.Benchmarks;

/// <summary>The Opus frame path (16 kHz, 24 kbit/s, in-band FEC) with the system libopus and with Concentus's managed port.</summary>
[MemoryDiagnoser]
public class MediaOpusFrameBenchmarks : MediaFramePath
{
    /// <inheritdoc />
    [Params(true, false)]
    public override bool NativeOpus { get; set; }

    [Benchmark]
    public int OpusSendPlain() => OpusSend(protect: false);

    [Benchmark]
    public int OpusSendSrtp() => OpusSend(protect: true);

    [Benchmark]
    public int OpusReceivePlain() => OpusReceive(srtp: false);

    [Benchmark]
    public int OpusReceiveSrtp() => OpusReceive(srtp: true);
}

using BenchmarkDotNet.Attributes;
using Intercom.Media.Sdp;

namespace Intercom.Benchmarks;

/// <summary>
/// The G.711 call-audio path of <see cref="MediaFrameBenchmarks"/> once ICE has selected a pair (issue #19: "ICE adds
/// nothing per packet once a pair is chosen"): sending goes to the pair's address, receiving checks the source against it
/// instead of the SDP's; the agent itself is not on the per-packet path. With <see cref="Relayed"/> the pair is the TURN
/// relay's: ChannelData out through the allocation, and in from the server unwrapped. Compare with MediaFrameBenchmarks: all 0 B.
/// </summary>
[MemoryDiagnoser]
public class MediaIceFrameBenchmarks : MediaFramePath
{
    [Params(false, true)]
    public bool Srtp { get; set; }

    /// <summary>The selected pair is our TURN relay's (issue #19): ChannelData both ways through a loopback server.</summary>
    [Params(false, true)]
    public bool Relayed { get; set; }

    [GlobalSetup]
    public void GlobalSetup() => Setup(MediaFormat.Pcmu, Srtp, ice: true, relayed: Relayed);

    [Benchmark]
    public long IceG711Send() => Send();

    [Benchmark]
    public short IceG711Receive() => Receive();
}

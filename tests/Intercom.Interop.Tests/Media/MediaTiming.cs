namespace Intercom.Interop.Tests.Media;

/// <summary>
/// Tests that judge audio timing (gaps, tone continuity, timeouts) run alone, not next to other interop tests: on a
/// two-core machine a starved baresip sends its packets in bursts, which is the machine's fault, not the call's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MediaTiming
{
    public const string Name = "media timing";
}

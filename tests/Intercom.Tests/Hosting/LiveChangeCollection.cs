namespace Intercom.Tests.Hosting;

/// <summary>
/// The live-change app tests start a station per test (SIP loop, audio device threads, a fake peer): run alone, so that
/// they do not load the machine under the timing checks of other tests (the demo's relay pulse).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveChangeCollection
{
    public const string Name = "live configuration changes";
}

namespace Intercom.Tests;

/// <summary>
/// Tests that measure a real-time interval (the demo's relay pulse, timed by the system clock and a thread-pool timer) run
/// alone: other tests of this process that block pool threads while they wait would delay the timer by the pool's thread
/// injection (about a second on 2 cores), which says nothing about the station.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeCollection
{
    public const string Name = "real-time measurements";
}

// The tests measure memory, threads and rates of a child process on 2 shared cores: one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

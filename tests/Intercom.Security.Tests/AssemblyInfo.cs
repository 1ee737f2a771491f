// Each test runs the station as a child process and measures what it lets through; on 2 shared cores, one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

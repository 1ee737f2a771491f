using BenchmarkDotNet.Running;
using Intercom.Benchmarks.Station;

// "station" runs the in-process latency probe (see StationProbe); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "station")
{
    return StationProbe.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(StationProbe).Assembly).Run(args);
return 0;

using System.Diagnostics;
using System.Globalization;

namespace Intercom.Benchmarks.Station;

/// <summary>Latencies in Stopwatch ticks, summarised as nearest-rank percentiles in milliseconds.</summary>
public sealed class LatencySamples(string name)
{
    private readonly List<long> _ticks = [];

    public string Name { get; } = name;

    public int Count => _ticks.Count;

    public void Add(long ticks) => _ticks.Add(ticks);

    public double Percentile(double p)
    {
        if (_ticks.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _ticks.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return ToMs(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)]);
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-40} n={Count,5}  p50 {Percentile(50),7:0.000} ms  p90 {Percentile(90),7:0.000} ms  p99 {Percentile(99),7:0.000} ms  max {Percentile(100),7:0.000} ms");

    private static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

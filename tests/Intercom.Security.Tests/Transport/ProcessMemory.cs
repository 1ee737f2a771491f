using System.Globalization;

namespace Intercom.Security.Tests.Transport;

/// <summary>A process's resident memory now and at its peak, from /proc/PID/status (VmRSS, VmHWM), in KiB.</summary>
public readonly record struct ProcessMemory(long RssKb, long PeakRssKb)
{
    public static ProcessMemory Read(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kb(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kb(line);
            }
        }

        return new ProcessMemory(rss, peak);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"RSS {RssKb / 1024.0:0.0} MiB (peak {PeakRssKb / 1024.0:0.0} MiB)");

    private static long Kb(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}

/// <summary>Samples a process's RSS every 50 ms until disposed; <see cref="PeakKb"/> is the highest seen.</summary>
public sealed class RssSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peakKb;

    public RssSampler(int pid)
    {
        _peakKb = ProcessMemory.Read(pid).RssKb;
        _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var rss = ProcessMemory.Read(pid).RssKb;
                    if (rss > Interlocked.Read(ref _peakKb))
                    {
                        Interlocked.Exchange(ref _peakKb, rss);
                    }
                }
                catch (IOException)
                {
                    // The process is gone; the test will say so.
                    return;
                }

                await Task.Delay(50).ConfigureAwait(false);
            }
        });
    }

    public long PeakKb => Interlocked.Read(ref _peakKb);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampling.ConfigureAwait(false);
        _stop.Dispose();
    }
}

using System.Globalization;

namespace Intercom.Reliability.Tests.Harness;

/// <summary>What /proc says about a process: resident memory (now and peak), threads, open descriptors, UDP sockets.</summary>
public sealed record ProcessFigures(long RssKb, long PeakRssKb, int Threads, int FileDescriptors, int Sockets)
{
    public static ProcessFigures Read(int pid)
    {
        long rss = 0, peak = 0;
        var threads = 0;
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
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }

        var fds = 0;
        var sockets = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            fds++;
            try
            {
                if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
                {
                    sockets++;
                }
            }
            catch (IOException)
            {
                // Closed between listing and reading.
            }
        }

        return new ProcessFigures(rss, peak, threads, fds, sockets);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"RSS {RssKb / 1024.0:0.0} MiB (peak {PeakRssKb / 1024.0:0.0} MiB), {Threads} threads, {FileDescriptors} fds ({Sockets} sockets)");

    private static long Kb(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}

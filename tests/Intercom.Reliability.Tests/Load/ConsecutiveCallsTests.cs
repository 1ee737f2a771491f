using System.Diagnostics;
using Intercom.Interop.Tests.Peers;
using Intercom.Reliability.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Reliability.Tests.Load;

/// <summary>
/// "24 hours of calls, compressed": the resident's baresip calls the station again and again (auto-answer, talk, the
/// door code as RFC 4733, hang up), and the station process must end with the threads, descriptors and sockets (RTP
/// ports) it had after the first call. Memory is not expected back to that figure — the GC grows its heap over the
/// first few hundred calls and keeps it — so it must level off: the last two thirds of the calls may add little.
/// </summary>
public sealed class ConsecutiveCallsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-calls-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Consecutive_calls_leave_no_memory_threads_descriptors_or_ports_behind()
    {
        var port = FreePort.Next();
        await using var station = await StationProcess.StartAsync(StationConfigs.Direct(port, "sip:resident@127.0.0.1:5999"), _dir);
        await using var resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:{StationConfigs.ResidentUser}@127.0.0.1>;regint=0;answermode=manual;audio_codecs=PCMU");
        await resident.StartAsync();

        var calls = ReliabilitySettings.CallCount;
        var talk = TimeSpan.FromMilliseconds(ReliabilitySettings.TalkMs);
        ProcessFigures? baseline = null;
        ProcessFigures? plateau = null;
        var peakRss = 0L;
        var watch = Stopwatch.StartNew();
        for (var call = 1; call <= calls; call++)
        {
            await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{port}");
            await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
            await Task.Delay(talk);
            await resident.CommandAsync("sndcode", StationConfigs.DoorCode);
            await station.WaitForLineAsync("door energised", Wait, skip: call - 1);
            await resident.CommandAsync("hangup");
            await resident.WaitForEventAsync("CALL_CLOSED", Wait);
            await station.WaitForLineAsync(@"incoming .* ended", Wait, skip: call - 1);
            await station.WaitForLineAsync("door released", Wait, skip: call - 1);
            var figures = await SettledFigures(station, baseline);
            peakRss = Math.Max(peakRss, figures.RssKb);
            if (call == 1)
            {
                // After the first call: JIT, pools and the first RTP socket pair are warmed up.
                baseline = figures;
                output.WriteLine($"after call 1: {baseline}");
            }
            else if (call % 100 == 0)
            {
                output.WriteLine($"after call {call}: {figures}");
            }

            if (call == Math.Max(1, calls / 3))
            {
                plateau = figures;
            }
        }

        var end = await SettledFigures(station, baseline);
        output.WriteLine($"{calls} calls with {talk.TotalMilliseconds:0} ms of talk in {watch.Elapsed.TotalSeconds:0} s");
        output.WriteLine($"after call 1: {baseline}");
        output.WriteLine($"after call {calls}: {end}; highest RSS between calls {peakRss / 1024.0:0.0} MiB");
        output.WriteLine($"after call {Math.Max(1, calls / 3)}: {plateau}; RSS added by the last two thirds {(end.RssKb - plateau!.RssKb) / 1024.0:0.0} MiB");

        Assert.Equal(calls, station.Count("door energised"));
        Assert.Equal(baseline!.Sockets, end.Sockets);
        Assert.InRange(end.FileDescriptors, 0, baseline.FileDescriptors + 2);
        Assert.InRange(end.Threads, 0, baseline.Threads + 4);
        // Measured over 1,000 calls: +25 MiB by call 300 (the GC growing its heap), then +0.8 MiB over the last 667 calls.
        // A short run (CI: 30 calls) is still inside that growth, where the last two thirds measured 7.9-8.2 MiB on the
        // shared machine: it gets twice the room; the full run keeps the tight bound.
        Assert.InRange(end.RssKb, 0, baseline.RssKb + (48 * 1024));
        var levelled = calls >= 300 ? 8 * 1024 : 16 * 1024;
        Assert.InRange(end.RssKb - plateau.RssKb, long.MinValue, levelled);
    }

    /// <summary>
    /// The call's sockets and threads go away asynchronously after the hang-up: read the figures until sockets are back
    /// to the baseline (or a few seconds have passed), so a slow close is not taken for a leak and a leak still shows.
    /// </summary>
    private static async Task<ProcessFigures> SettledFigures(StationProcess station, ProcessFigures? baseline)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        var figures = station.Figures();
        while (baseline is not null && figures.Sockets > baseline.Sockets && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            figures = station.Figures();
        }

        return figures;
    }
}

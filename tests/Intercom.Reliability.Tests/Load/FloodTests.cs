using System.Net;
using Intercom.Interop.Tests.Peers;
using Intercom.Reliability.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Reliability.Tests.Load;

/// <summary>
/// The station (the real process) under OPTIONS, REGISTER-junk and INVITE floods from several loopback sources at once
/// while the resident's baresip, from its own address, calls in, is answered and opens the door by RFC 4733 code.
/// </summary>
public sealed class FloodTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-flood-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Under_a_flood_the_station_stays_up_answers_cheaply_and_the_resident_still_opens_the_door()
    {
        var port = FreePort.Next();
        await using var station = await StationProcess.StartAsync(StationConfigs.Direct(port, "sip:resident@127.0.0.1:5999"), _dir);
        await using var resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:{StationConfigs.ResidentUser}@127.0.0.1>;regint=0;answermode=manual;audio_codecs=PCMU");
        await resident.StartAsync();
        var idle = station.Figures();

        var target = new IPEndPoint(IPAddress.Loopback, port);
        var seconds = ReliabilitySettings.FloodSeconds;
        using var options = new SipFlood(target, FloodKind.Options, IPAddress.Parse("127.0.0.10"));
        using var junk = new SipFlood(target, FloodKind.RegisterJunk, IPAddress.Parse("127.0.0.11"));
        using var invites = new SipFlood(target, FloodKind.Invite, IPAddress.Parse("127.0.0.12"));
        // A "distributed" flood: 200 addresses, each below the burst at first, which the fixed-size table must absorb.
        using var spread = new SipFlood(target, FloodKind.Options, IPAddress.Parse("127.0.1.1"), sources: 200);
        var floods = new[] { options, junk, invites, spread }
            .Select(f => Task.Factory.StartNew(() => f.Run(TimeSpan.FromSeconds(seconds)), TaskCreationOptions.LongRunning))
            .ToArray();

        // RSS every second while the flood lasts: growth that levels off is the GC settling, growth that keeps climbing a leak.
        var samples = new List<long>();
        var sampler = Task.Run(async () =>
        {
            while (!floods.All(f => f.IsCompleted))
            {
                samples.Add(station.Figures().RssKb);
                await Task.Delay(1000);
            }
        });

        // The legitimate call, placed a second into the flood, from 127.0.0.1.
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, seconds / 4.0)));
        var callStarted = DateTime.UtcNow;
        await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{port}");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        var connectedAfter = DateTime.UtcNow - callStarted;
        await resident.CommandAsync("sndcode", StationConfigs.DoorCode);
        await station.WaitForLineAsync("door energised", Wait);
        var openedAfter = DateTime.UtcNow - callStarted;
        await resident.CommandAsync("hangup");

        var results = await Task.WhenAll(floods);
        await sampler;
        var during = station.Figures();
        Assert.False(station.Process.HasExited, "the station died under the flood:\n" + station.Process.Tail());

        foreach (var result in results)
        {
            output.WriteLine(result.ToString());
        }

        output.WriteLine($"legitimate call connected after {connectedAfter.TotalMilliseconds:0} ms, door open after {openedAfter.TotalMilliseconds:0} ms");
        output.WriteLine($"idle: {idle}");
        output.WriteLine($"after the flood: {during}; peak RSS − idle RSS = {(during.PeakRssKb - idle.RssKb) / 1024.0:0.0} MiB");
        output.WriteLine("RSS each second (MiB): " + string.Join(" ", samples.Select(kb => (kb / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture))));

        // Cheap: a single source flooding gets its burst, ten 503s, and then nothing for the block time.
        foreach (var single in results.Take(3))
        {
            Assert.True(single.Sent > 1000, $"the generator sent too little to mean anything: {single}");
            Assert.True(single.Responses < single.Sent / 20, $"a flood was answered message for message: {single}");
        }

        Assert.True(results[0].Count(503) > 0, "no 503 for the OPTIONS flood: " + results[0]);
        Assert.Equal(0, results[2].Count(200));
        Assert.Equal(0, results[2].Count(180));

        // Bounded memory: the flood may not grow the station by more than this over idle (measured: 45 MiB after 6 s,
        // 78 MiB after 30 s, levelling off; see the README).
        Assert.True(during.PeakRssKb - idle.RssKb < 128 * 1024, $"peak RSS grew by {(during.PeakRssKb - idle.RssKb) / 1024} MiB");
        Assert.Equal(1, station.Count("door energised"));
    }
}

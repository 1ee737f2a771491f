using System.Runtime.InteropServices;
using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;
using Intercom.Reliability.Tests.Harness;
using Intercom.Station.Configuration;

namespace Intercom.Reliability.Tests.Faults;

/// <summary>
/// The configuration file under faults: corrupt or truncated at start (the station runs on the last good copy and says
/// so at critical priority), and kill -9 in the middle of saves (the file is always one whole configuration or the other).
/// </summary>
public sealed partial class ConfigFaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_corrupt_or_truncated_file_at_start_falls_back_to_the_last_good_copy_loudly()
    {
        var config = StationConfigs.Direct(FreePort.Next(), "sip:resident@127.0.0.1:5999");
        await using (var first = await StationProcess.StartAsync(config, _dir))
        {
            await first.Process.StopAsync();
        }

        var path = Path.Combine(_dir, "intercom.json");
        var good = File.ReadAllBytes(path);
        Assert.True(File.Exists(path + ".good"));
        var corruptions = new Dictionary<string, byte[]>
        {
            ["truncated to half"] = good[..(good.Length / 2)],
            ["truncated to one byte"] = good[..1],
            ["empty"] = [],
            ["binary garbage"] = [0x00, 0xFF, 0x13, 0x37, 0x7B, 0x00],
            ["JSON null"] = "null"u8.ToArray(),
            ["valid JSON, invalid config"] = """{ "name": "", "sip": { "listen": [] } }"""u8.ToArray(),
        };

        foreach (var (what, bytes) in corruptions)
        {
            File.WriteAllBytes(path, bytes);
            await using var station = await StationProcess.StartOnFileAsync(path);
            var critical = station.Process.Lines.Where(l => l.StartsWith("<2>", StringComparison.Ordinal)).ToList();
            Assert.True(critical.Any(l => l.Contains("running with the last good copy", StringComparison.Ordinal)), $"{what}: no critical fallback line in\n{station.Process.Tail()}");
            Assert.True(critical.Any(l => l.Contains(path, StringComparison.Ordinal) && !l.Contains("last good", StringComparison.Ordinal)), $"{what}: the error itself was not logged");
            Assert.Contains(station.Process.Lines, l => l.Contains("Reliability door", StringComparison.Ordinal));
            await station.Process.StopAsync();
        }
    }

    [Fact]
    public async Task A_valid_file_the_station_cannot_start_on_falls_back_to_the_last_good_copy_loudly()
    {
        var goodPort = FreePort.Next();
        await using (var first = await StationProcess.StartAsync(StationConfigs.Direct(goodPort, "sip:resident@127.0.0.1:5999"), _dir))
        {
            await first.Process.StopAsync();
        }

        // Valid, but its SIP port is held by someone else: the start itself fails (a SocketException), after validation.
        using var squatter = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        squatter.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var takenPort = ((System.Net.IPEndPoint)squatter.LocalEndPoint!).Port;
        var path = Path.Combine(_dir, "intercom.json");
        var unstartable = StationConfigs.Direct(takenPort, "sip:resident@127.0.0.1:5999");
        unstartable.Name = "Unstartable door";
        File.WriteAllText(path, ConfigLoader.Serialize(unstartable));
        Assert.True(ConfigLoader.TryLoad(path, out _, out var errors), string.Join("\n", errors));

        await using var station = await StationProcess.StartOnFileAsync(path);
        Assert.Contains(station.Process.Lines, l => l.StartsWith("<2>", StringComparison.Ordinal)
            && l.Contains("could not start on it", StringComparison.Ordinal) && l.Contains("running with the last good copy", StringComparison.Ordinal));
        Assert.Contains(station.Process.Lines, l => l.Contains($"127.0.0.1:{goodPort}", StringComparison.Ordinal));
        Assert.Contains(station.Process.Lines, l => l.Contains("Reliability door", StringComparison.Ordinal));
        await station.Process.StopAsync();
    }

    [Fact]
    public async Task A_corrupt_file_without_a_last_good_copy_stops_the_station_with_exit_code_2()
    {
        var path = Path.Combine(_dir, "intercom.json");
        File.WriteAllText(path, """{ "name": "half""");
        var process = PeerProcess.Start("dotnet", [StationProcess.AppPath, "run", "--simulate", "--config", path]);
        await using var _ = process;
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(process.Lines, l => l.StartsWith("<2>", StringComparison.Ordinal) && l.Contains(path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kill_9_during_saves_never_leaves_a_broken_file()
    {
        var path = Path.Combine(_dir, "intercom.json");
        var saver = Path.Combine(AppContext.BaseDirectory, "Intercom.ConfigSaver.dll");
        var random = new Random(9);
        var rounds = ReliabilitySettings.Full ? 300 : 15;
        var names = new HashSet<string>();
        for (var round = 0; round < rounds; round++)
        {
            var process = PeerProcess.Start("dotnet", [saver, path]);
            await using (process)
            {
                await process.WaitForLineAsync("^saved$", TimeSpan.FromSeconds(30));
                // Somewhere inside the stream of saves after the first (each takes a few milliseconds, fsync included).
                await Task.Delay(random.Next(0, 30));
                Assert.Equal(0, Kill(process.Pid, 9));
                await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }

            Assert.True(process.Lines.All(l => l == "saved"), process.Output);
            Assert.True(ConfigLoader.TryLoad(path, out var loaded, out var errors), $"round {round}: {string.Join("; ", errors)}");
            Assert.Contains(loaded!.Name, new[] { "A", "B" });
            names.Add(loaded.Name);
            Assert.True(ConfigLoader.TryLoad(path + ".good", out _, out var goodErrors), $"round {round} (.good): {string.Join("; ", goodErrors)}");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        // The kills landed in different saves, not always before the first one.
        Assert.Equal(2, names.Count);
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}

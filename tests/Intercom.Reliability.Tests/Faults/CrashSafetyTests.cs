using System.Diagnostics;
using System.Runtime.InteropServices;
using Intercom.Interop.Tests.Peers;
using Intercom.Reliability.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Reliability.Tests.Faults;

/// <summary>
/// SIGKILL runs no code, so no process can release a relay as it dies. What the kernel does: a GPIO line requested
/// through the character device is released when its file descriptor closes, after which "the state of the line becomes
/// uncontrolled from the userspace perspective, and may revert to its default state" (Linux, gpio-v2-get-line-ioctl) —
/// on the Raspberry Pi's BCM283x the pin keeps driving its last level. So the guarantee the station gives is: every
/// relay is released (a) on every exit that runs code (SIGTERM, SIGINT, an unhandled exception: tested in Intercom.Tests)
/// and (b) first thing at start, before SIP or anything else. With systemd's Restart=always a killed station's relay
/// is therefore energised at most for its pulse or until the restart, whichever ends first; wiring the lock fail-secure
/// (de-energised = locked) and a pull-down on the relay input keep a dead or floating pin locked.
/// This test kills the station in the middle of a door pulse, restarts it, and measures how soon the relays are
/// released again.
/// </summary>
public sealed partial class CrashSafetyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-crash-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Killed_during_a_door_pulse_the_restarted_station_releases_every_relay_before_anything_else()
    {
        var port = FreePort.Next();
        var config = StationConfigs.Direct(port, "sip:resident@127.0.0.1:5999");
        config.Station.Relays.First(r => r.Id == "door").PulseMs = 5000;
        await using var resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:{StationConfigs.ResidentUser}@127.0.0.1>;regint=0;answermode=manual;audio_codecs=PCMU");
        await resident.StartAsync();
        var rounds = ReliabilitySettings.Full ? 20 : 2;
        for (var round = 0; round < rounds; round++)
        {
            var station = await StationProcess.StartAsync(config, _dir);
            await using (station)
            {
                await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{port}");
                await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
                await resident.CommandAsync("sndcode", StationConfigs.DoorCode);
                await station.WaitForLineAsync("door energised", Wait);
                Assert.Equal(0, Kill(station.Pid, 9));
                await station.Process.WaitForExitAsync(Wait);
                Assert.Equal(0, station.Count("door released"));
                await resident.CommandAsync("hangup");
                await resident.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(40));
            }

            var restart = Stopwatch.StartNew();
            var again = PeerProcess.Start("dotnet", [StationProcess.AppPath, "run", "--simulate", "--config", station.ConfigPath]);
            await using (again)
            {
                await again.WaitForLineAsync("relays released at start: .*door", Wait);
                var released = restart.Elapsed;
                await again.WaitForLineAsync("ready$", Wait);
                var lines = again.Lines.ToList();
                Assert.True(lines.FindIndex(l => l.Contains("relays released at start", StringComparison.Ordinal)) < lines.FindIndex(l => l.Contains("SIP listening", StringComparison.Ordinal)));
                output.WriteLine($"round {round}: killed while the door was energised; the restarted process released every relay {released.TotalMilliseconds:0} ms after it was started");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}

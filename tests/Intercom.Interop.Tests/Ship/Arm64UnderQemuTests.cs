using Intercom.Interop.Tests.Peers;

namespace Intercom.Interop.Tests.Ship;

/// <summary>
/// The Raspberry Pi binary (linux-arm64 NativeAOT, cross-built on x64) run here under qemu-user over Debian's arm64
/// libraries (<see cref="Arm64Sysroot"/>): it prints its version, validates the shipped example configuration, and takes a real call from baresip
/// on loopback through to a door opening and a clean hang-up.
/// </summary>
[Collection(ShipCollection.Name)]
public sealed class Arm64UnderQemuTests : IAsyncLifetime
{
    private const string Rid = "linux-arm64";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-qemu-").FullName;
    private string _binary = "";
    private string _sysroot = "";

    public async Task InitializeAsync()
    {
        _binary = await PublishedStation.BinaryFor(Rid);
        _sysroot = await Arm64Sysroot.PathAsync();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>qemu-aarch64 with the arm64 loader and libraries (-L), then the station's arguments.</summary>
    private string[] UnderQemu(params string[] arguments) => ["-L", _sysroot, _binary, .. arguments];

    private static string Qemu() => PublishedStation.RequireTool("qemu-aarch64", "qemu-user");

    [Fact]
    public async Task Version_names_the_arm64_runtime()
    {
        var (exitCode, output) = await PublishedStation.RunAsync(Qemu(), UnderQemu("version"), Wait);

        Assert.Equal(0, exitCode);
        Assert.Matches($@"^intercom {System.Text.RegularExpressions.Regex.Escape(PublishedStation.Version)} \(linux-arm64, \.NET 10", output);
    }

    [Fact]
    public async Task Check_config_accepts_the_shipped_example_and_rejects_a_broken_file_with_exit_code_2()
    {
        var (exitCode, output) = await PublishedStation.RunAsync(Qemu(), UnderQemu("check-config", PublishedStation.ExampleConfig), Wait);
        Assert.Equal(0, exitCode);
        Assert.Contains(": ok (0 account(s))", output, StringComparison.Ordinal);
        Assert.Contains("warning: no door codes", output, StringComparison.Ordinal);

        var broken = Path.Combine(_dir, "broken.json");
        File.WriteAllText(broken, """{ "name": "x", "sip": { "listen": [ { "transport": "carrier-pigeon", "address": "0.0.0.0", "port": 5060 } ] } }""");
        (exitCode, output) = await PublishedStation.RunAsync(Qemu(), UnderQemu("check-config", broken), Wait);
        Assert.Equal(2, exitCode);
        Assert.Contains("transport", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baresip_calls_the_arm64_station_which_answers_opens_the_door_on_the_code_and_hangs_up_cleanly()
    {
        var sipPort = FreePort.Next();
        var rtpBase = 40000 + (sipPort % 100) * 100;
        var config = Path.Combine(_dir, "intercom.json");
        File.WriteAllText(config, $$"""
            {
              "name": "Qemu door",
              "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": {{sipPort}} } ] },
              "media": { "rtpPortMin": {{rtpBase}}, "rtpPortMax": {{rtpBase + 99}}, "codecs": [ "pcmu" ] },
              "station": {
                "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ],
                "codes": [ { "code": "2580", "relay": "door" } ],
                "incoming": { "allowlist": [ "sip:resident@127.0.0.1" ], "sources": [ "127.0.0.0/8" ], "autoAnswer": true },
                "eventLog": { "persistPath": null }
              }
            }
            """);
        await using var station = PeerProcess.Start(Qemu(), UnderQemu("run", "--simulate", "--config", config));
        await station.WaitForLineAsync("ready", Wait);

        await using var resident = Baresip.Create(Path.Combine(_dir, "resident"),
            "<sip:resident@127.0.0.1>;regint=0;answermode=manual;audio_codecs=PCMU");
        await resident.StartAsync();
        await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{sipPort}");
        await WithStationOutput(station, resident.WaitForEventAsync("CALL_ESTABLISHED", Wait));
        await resident.CommandAsync("sndcode", "2580");
        var opened = await station.WaitForLineAsync("Relay: door energised", Wait);
        // The code's own line and the relay's are written from two events; under load (qemu beside stress-ng in a CI run)
        // the relay's was read first. Wait for the code's line as for the relay's.
        await station.WaitForLineAsync("CodeAccepted: ", Wait);
        await resident.CommandAsync("hangup");
        await WithStationOutput(station, resident.WaitForEventAsync("CALL_CLOSED", Wait));

        await station.StopAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, station.ExitCode);
        Assert.Contains(station.Lines, l => l.StartsWith("<6>", StringComparison.Ordinal) && l.Contains("stopped", StringComparison.Ordinal));
        Assert.DoesNotContain("2580", opened, StringComparison.Ordinal);
    }

    /// <summary>A failed wait on baresip also shows what the station printed (a crash under qemu, a refusal).</summary>
    private static async Task WithStationOutput(PeerProcess station, Task wait)
    {
        try
        {
            await wait;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nstation:\n{station.Tail()}", e);
        }
    }
}

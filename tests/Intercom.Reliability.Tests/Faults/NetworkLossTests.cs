using System.Diagnostics;
using Intercom.Configuration;
using Intercom.Interop.Tests.Peers;
using Intercom.Reliability.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Reliability.Tests.Faults;

/// <summary>
/// The station's link goes down and comes back. Two network namespaces made by the test — the PBX side (Kamailio and the
/// resident's baresip) and the station — joined by a veth pair on private addresses that exist only inside them; the
/// station's end is set down for a while (60 s in the full run), then up. The station must notice the loss (it cannot
/// refresh a binding it cannot reach), register again soon after the link is back, and then take the resident's call
/// through the PBX and open the door by code. Runs as root (ip netns); the namespaces are deleted on every way out.
/// </summary>
public sealed class NetworkLossTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "L1nk-Loss-Secret-0815";
    private const string PbxAddress = "10.231.0.1";
    private const string StationAddress = "10.231.0.2";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>Link up to registered: the network watcher acts after a 1 s settle time, the REGISTER takes milliseconds.</summary>
    private static readonly TimeSpan ReRegisterBound = TimeSpan.FromSeconds(10);

    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-netloss-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Link_down_then_up_the_station_registers_again_and_a_call_through_the_pbx_opens_the_door()
    {
        NetworkNamespace.RequireRoot();

        // Declared first, disposed last: the peers below stop before their namespaces are deleted, on every way out.
        using var pbxSide = NetworkNamespace.Create("icf-pbx");
        using var stationSide = NetworkNamespace.Create("icf-door");
        var (_, stationLink) = NetworkNamespace.Link(pbxSide, PbxAddress + "/24", stationSide, StationAddress + "/24");

        await using var kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"), authenticateInvites: false,
            networkNamespace: pbxSide, listenAddress: PbxAddress);
        kamailio.Users["door"] = Password;
        await kamailio.StartAsync();

        var port = FreePort.Next();
        var config = StationConfigs.Direct(port, $"sip:{StationConfigs.ResidentUser}@{PbxAddress}");
        config.Sip.Listen =
        [
            new SipListenerConfig { Transport = "udp", Address = StationAddress, Port = port },
            new SipListenerConfig { Transport = "tcp", Address = StationAddress, Port = port },
        ];
        config.Station.Incoming.Allowlist = [$"sip:{StationConfigs.ResidentUser}@{PbxAddress}"];
        config.Accounts.Add(new SipAccountConfig
        {
            Id = "pbx",
            Aor = $"sip:door@{PbxAddress}",
            Registrar = $"sip:{PbxAddress}:{kamailio.UdpPort}",
            Transport = "udp",
            Username = "door",
            Password = Password,
            ExpiresSeconds = 300,
        });
        Assert.Empty(ConfigValidator.Validate(config));

        await using var station = await StationProcess.StartAsync(config, Path.Combine(_dir, "station"), networkNamespace: stationSide);
        await using var resident = Baresip.Create(Path.Combine(_dir, "resident"),
            $"<sip:{StationConfigs.ResidentUser}@{PbxAddress}>;regint=0;answermode=manual;audio_codecs=PCMU",
            networkNamespace: pbxSide, sipAddress: PbxAddress);
        await resident.StartAsync();
        await station.WaitForLineAsync(@"Registration: registered \(", Wait);

        // The station's link goes down: it notices, because its REGISTER has no route any more.
        var notRegisteredBefore = station.Count("Registration: not registered (");
        var registeredBefore = station.Count("Registration: registered (");
        stationSide.Ip("link", "set", stationLink, "down");
        var down = Stopwatch.StartNew();
        await station.WaitForLineAsync(@"Registration: not registered \(", Wait, skip: notRegisteredBefore);
        var noticed = down.Elapsed;

        var outage = TimeSpan.FromSeconds(ReliabilitySettings.LinkDownSeconds);
        if (down.Elapsed < outage)
        {
            await Task.Delay(outage - down.Elapsed);
        }

        stationSide.Ip("link", "set", stationLink, "up");
        var up = Stopwatch.StartNew();
        await station.WaitForLineAsync(@"Registration: registered \(", ReRegisterBound + Wait, skip: registeredBefore);
        var reRegistered = up.Elapsed;
        output.WriteLine($"link down {down.Elapsed.TotalSeconds:0} s; the station noticed after {noticed.TotalSeconds:0.0} s; registered again {reRegistered.TotalSeconds:0.0} s after the link came up");

        // The resident calls the station through the PBX (its registered contact) and opens the door.
        var dialled = Stopwatch.StartNew();
        await resident.CommandAsync("dial", $"sip:door@{PbxAddress}:{kamailio.UdpPort}");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await resident.CommandAsync("sndcode", StationConfigs.DoorCode);
        await station.WaitForLineAsync("door energised", Wait);
        output.WriteLine($"call after the outage: door opened {dialled.Elapsed.TotalSeconds:0.0} s after dialling");
        await resident.CommandAsync("hangup");
        await resident.WaitForEventAsync("CALL_CLOSED", Wait);

        Assert.True(reRegistered <= ReRegisterBound, $"registered again {reRegistered} after the link came up, more than {ReRegisterBound}");
        Assert.Contains(station.Process.Lines, l => l.Contains("network changed", StringComparison.Ordinal));
        output.WriteLine(string.Join('\n', station.Process.Lines.Where(l => l.Contains("Registration", StringComparison.Ordinal) || l.Contains("network", StringComparison.Ordinal))));
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Security.Tests.Transport;

/// <summary>
/// Issue #15, point 5 in full: the station registered at Kamailio (over TCP, the flow Kamailio reaches it on), a peer
/// floods it with 8 MiB of TCP keepalive pings and never reads; memory stays bounded, the flooder's connection is
/// closed, and afterwards the resident's call through Kamailio is answered and the right code still opens the door.
/// </summary>
public sealed class PingFloodCallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string DoorCode = KamailioStation.DoorCode;
    private const long AllowedGrowthKb = 16 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("intercom-pingflood-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task After_a_ping_flood_a_call_through_Kamailio_still_opens_the_door_with_the_right_code()
    {
        await using var kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"), reachRegisteredFlows: true);
        await using var resident = await KamailioStation.StartPeersAsync(kamailio, _dir, Wait);

        var port = FreePort.Next();
        var station = new IPEndPoint(IPAddress.Loopback, port);
        var config = KamailioStation.Config(kamailio, port, "tcp", DoorCode);
        await using var process = await AotStation.StartAsync(config);
        await process.WaitForLineAsync(@"Registration: registered \(", Wait);
        await Task.Delay(1000);
        var baseline = ProcessMemory.Read(process.Pid);

        // The flood, from an address of its own: a tiny window never read, 8 MiB of CRLFCRLF.
        var sampler = new RssSampler(process.Pid);
        using var attacker = SipProbe.Connect(IPAddress.Parse("127.0.0.66"), station, receiveBuffer: 4096);
        attacker.SendTimeout = 20_000;
        var chunk = new byte[64 * 1024];
        for (var i = 0; i < chunk.Length; i += 4)
        {
            "\r\n\r\n"u8.CopyTo(chunk.AsSpan(i));
        }

        long sent = 0;
        try
        {
            while (sent < 8 * 1024 * 1024)
            {
                sent += attacker.Send(chunk);
            }
        }
        catch (SocketException)
        {
            // A reset (the station closed the connection) or a send timeout: which, the check below tells.
        }

        await Task.Delay(3000);
        var closed = await SipProbe.ClosedByStationAsync(attacker, TimeSpan.FromSeconds(5));
        await sampler.DisposeAsync();
        var growthKb = sampler.PeakKb - baseline.RssKb;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sent {sent / 1024.0 / 1024.0:0.00} MiB of pings; closed by the station: {closed}; baseline {baseline}; peak during the flood +{growthKb / 1024.0:0.0} MiB"));
        Assert.True(growthKb < AllowedGrowthKb, $"the ping flood grew the station's RSS by {growthKb / 1024} MiB (allowed {AllowedGrowthKb / 1024} MiB)");
        Assert.True(closed, "the station kept the flooding connection open");

        // The resident calls the door through Kamailio (which reaches the station over its registered TCP flow), the
        // station answers, and the code opens the door — once.
        await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{kamailio.UdpPort}");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await resident.CommandAsync("sndcode", DoorCode);
        await process.WaitForLineAsync(@"Relay: door energised\b", Wait);
        await resident.CommandAsync("hangup");
        Assert.Equal(1, process.DoorOpenings());
        Assert.False(process.Process.HasExited, "the station died:\n" + process.Tail());
    }
}

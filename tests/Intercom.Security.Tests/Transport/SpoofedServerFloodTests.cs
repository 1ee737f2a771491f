using System.Net;
using System.Net.Sockets;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Security.Tests.Transport;

/// <summary>
/// Issue #15.7: a UDP flood forged in the registrar's name must not get the registrar blocked. On loopback the attacker
/// simply sends from Kamailio's address, 127.0.0.1 (another port): to the station that is exactly a forged datagram,
/// since a UDP source address proves nothing. Before the fix some seventy such datagrams bought a 60 s block of
/// 127.0.0.1 — the station then ignored Kamailio, and the resident's call never arrived.
/// </summary>
public sealed class SpoofedServerFloodTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("intercom-spoof-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_UDP_flood_in_the_registrars_name_does_not_cut_the_station_off_its_registrar()
    {
        await using var kamailio = Kamailio.Create(Path.Combine(_dir, "kamailio"));
        await using var resident = await KamailioStation.StartPeersAsync(kamailio, _dir, Wait);
        var port = FreePort.Next();
        var station = new IPEndPoint(IPAddress.Loopback, port);
        await using var process = await AotStation.StartAsync(KamailioStation.Config(kamailio, port, "udp"));
        await process.WaitForLineAsync(@"Registration: registered \(", Wait);

        // 2,000 OPTIONS from Kamailio's address, as fast as they go: far beyond the burst, the 503s and what used to block.
        using (var forger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            forger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            for (var i = 0; i < 2000; i++)
            {
                forger.SendTo(SipProbe.Options((IPEndPoint)forger.LocalEndPoint!, "UDP"), station);
            }
        }

        await Task.Delay(500);

        // The flood over, Kamailio is heard again at once: the resident's call arrives over UDP from 127.0.0.1, is
        // answered, and the code opens the door.
        var dialled = DateTime.UtcNow;
        await resident.CommandAsync("dial", $"sip:door@127.0.0.1:{kamailio.UdpPort}");
        await resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        output.WriteLine($"call established {(DateTime.UtcNow - dialled).TotalMilliseconds:0} ms after dialling, half a second after the forged flood");
        await resident.CommandAsync("sndcode", KamailioStation.DoorCode);
        await process.WaitForLineAsync(@"Relay: door energised\b", Wait);
        await resident.CommandAsync("hangup");
        Assert.Equal(1, process.DoorOpenings());

        // And a direct OPTIONS from that address is answered as well.
        Assert.Equal(200, await SipProbe.OptionsOverUdpAsync(IPAddress.Loopback, station));
    }
}

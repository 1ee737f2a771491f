using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Intercom.Interop.Tests.Peers;
using Xunit.Abstractions;

namespace Intercom.Interop.Tests.Ship;

/// <summary>
/// The published binary as systemd runs it (Type=notify, WatchdogSec): the test plays systemd's side of the
/// notification socket and checks READY=1, WATCHDOG=1 at half the timeout, STOPPING=1 on SIGTERM and exit code 0.
/// Start to READY=1 is the start-up figure the README reports.
/// </summary>
[Collection(ShipCollection.Name)]
public sealed class SystemdNotifyTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-sdnotify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Native_station_reports_ready_feeds_the_watchdog_and_reports_stopping()
    {
        var binary = await PublishedStation.BinaryFor(PublishedStation.HostRid);
        var config = Path.Combine(_dir, "intercom.json");
        File.WriteAllText(config, $$"""
            {
              "name": "Notify test",
              "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": {{FreePort.Next()}} } ] },
              "station": { "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ], "eventLog": { "persistPath": null } }
            }
            """);
        var socketPath = Path.Combine(_dir, "notify");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(socketPath));

        var clock = Stopwatch.StartNew();
        await using var station = PeerProcess.Start(binary, ["run", "--simulate", "--config", config], environment: new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            // 1 s: pings every 500 ms, so the test sees several without waiting long.
            ["WATCHDOG_USEC"] = "1000000",
        });
        var ready = await ReceiveAsync(systemd, station);
        var startToReady = clock.Elapsed;
        Assert.StartsWith("READY=1\nSTATUS=SIP udp 127.0.0.1:", ready, StringComparison.Ordinal);
        Assert.Contains("no registration", ready, StringComparison.Ordinal);
        output.WriteLine($"start to READY=1: {startToReady.TotalMilliseconds:0} ms ({PublishedStation.HostRid}, {binary})");

        for (var ping = 0; ping < 3; ping++)
        {
            Assert.Equal("WATCHDOG=1", await ReceiveAsync(systemd, station));
        }

        await station.StopAsync(TimeSpan.FromSeconds(15));
        string stopping;
        do
        {
            stopping = await ReceiveAsync(systemd, station);
        }
        while (stopping == "WATCHDOG=1");
        Assert.StartsWith("STOPPING=1\n", stopping, StringComparison.Ordinal);
        Assert.Equal(0, station.ExitCode);
        // A start-up budget with room for a loaded CI machine: a native station on x64 is ready in well under a second.
        Assert.InRange(startToReady, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    private static async Task<string> ReceiveAsync(Socket socket, PeerProcess station)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Wait);
        try
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no notification within {Wait.TotalSeconds} s; station output:\n{station.Tail()}");
        }
    }
}

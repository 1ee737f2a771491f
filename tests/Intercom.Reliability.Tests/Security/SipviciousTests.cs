using System.Net;
using System.Net.Sockets;
using System.Text;
using Intercom.Interop.Tests.Peers;
using Intercom.Reliability.Tests.Harness;
using Xunit.Abstractions;

namespace Intercom.Reliability.Tests.Security;

/// <summary>
/// SIPVicious (Debian's sipvicious: svmap, svwar, svcrack) against the station on loopback. svwar and svcrack bind
/// 0.0.0.0:5060 whatever -b says, so they scan from 127.0.0.1; each test has its own station.
/// </summary>
public sealed class SipviciousTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-sipvicious-").FullName;
    private StationProcess _station = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _port = FreePort.Next();
        _station = await StationProcess.StartAsync(StationConfigs.Direct(_port, "sip:resident@127.0.0.1:5999"), _dir);
    }

    public async Task DisposeAsync()
    {
        await _station.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<string> Run(string tool, params string[] arguments)
    {
        var process = PeerProcess.Start(tool, arguments, _dir);
        await using var _ = process;
        await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        output.WriteLine($"$ {tool} {string.Join(' ', arguments)}\n{process.Output}");
        return process.Output;
    }

    [Fact]
    public async Task Svwar_finds_no_extension_by_REGISTER_OPTIONS_or_INVITE_and_repeated_requests_are_throttled()
    {
        var register = await Run("svwar", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-e", "100-999", "127.0.0.1");
        var invite = await Run("svwar", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "INVITE", "--force", "-e", "1000-1300", "127.0.0.1");
        // From another local port: the station still retransmits its 403s to the INVITE scan's port 5060 (svwar sends
        // no ACK; RFC 3261 §17.2.1 Timer G), which a scan there would misread as challenges.
        var options = await Run("svwar", "-P", "5070", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "OPTIONS", "-D", "127.0.0.1");
        Assert.Contains("found nothing", register, StringComparison.Ordinal);

        foreach (var report in new[] { register, invite, options })
        {
            // svwar marks an extension it believes exists as "reqauth" (challenged) or "noauth" (accepted); "weird" is
            // what it calls the 503 of the rate limiter.
            Assert.DoesNotContain("reqauth", report, StringComparison.Ordinal);
            Assert.DoesNotContain("noauth", report, StringComparison.Ordinal);
        }

        // No INVITE was accepted: no call answered, no relay touched.
        Assert.Equal(0, _station.Count("auto-answered"));
        Assert.Equal(0, _station.Count("energised"));

        // The OPTIONS scan (hundreds of requests in a few seconds) ran into the limiter (svwar's "weird" rows are its
        // 503s); another address still gets its answer. Once the scan stops, 127.0.0.1 is answered again: a UDP source
        // address proves nothing (anyone can forge the PBX's), so the limiter holds it to its rate but never blocks it.
        Assert.Equal(200, await Options(IPAddress.Parse("127.0.0.2")));
        Assert.Equal(200, await Options(IPAddress.Loopback));
    }

    [Fact]
    public async Task Svcrack_finds_no_password_because_the_station_challenges_nothing()
    {
        var report = await Run("svcrack", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-u", "door", "-r", "1000-1999", "127.0.0.1");
        Assert.DoesNotContain("| door", report, StringComparison.Ordinal);
        Assert.Matches("(?i)(could not|found nothing|not vulnerable|no password|does not require)", report);
    }

    [Fact]
    public async Task Svmap_sees_a_SIP_device_and_nothing_more()
    {
        var report = await Run("svmap", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1");
        Assert.Contains($"127.0.0.1:{_port}", report, StringComparison.Ordinal);
        Assert.Equal(0, _station.Count("auto-answered"));
    }

    /// <summary>One OPTIONS from <paramref name="source"/>: the status, or null when nothing came back within a second.</summary>
    private async Task<int?> Options(IPAddress source)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(source, 0));
        var local = (IPEndPoint)socket.LocalEndPoint!;
        var request = $"OPTIONS sip:door@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKprobe{local.Port};rport\r\n" +
            $"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: probe{local.Port}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        await socket.SendToAsync(Encoding.ASCII.GetBytes(request), new IPEndPoint(IPAddress.Loopback, _port));
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            var n = await socket.ReceiveAsync(buffer, cts.Token);
            return int.Parse(Encoding.ASCII.GetString(buffer, 8, 3), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}

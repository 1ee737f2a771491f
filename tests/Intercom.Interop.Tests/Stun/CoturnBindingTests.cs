using System.Net;
using Intercom.Media.Nat;
using Intercom.Media.Rtp;

namespace Intercom.Interop.Tests.Stun;

/// <summary>
/// Issue #19 against Debian's coturn (turnserver) on loopback: a Binding request from a call's RTP socket (sent by the
/// socket itself, the response read by its receive loop and handed over as STUN, RFC 7983) gets the XOR-MAPPED-ADDRESS
/// coturn saw, which on loopback is the socket's own address and port.
/// </summary>
public sealed class CoturnBindingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_binding_request_from_the_rtp_socket_gets_that_sockets_address_from_coturn()
    {
        int port = FreePort.Next(IPAddress.Loopback);
        string pidFile = Path.Combine(Path.GetTempPath(), $"intercom-coturn-{Guid.NewGuid():N}.pid");
        await using var coturn = PeerProcess.Start("turnserver",
        [
            "-n", "--listening-ip=127.0.0.1", $"--listening-port={port}", "--no-tls", "--no-dtls", "--no-cli",
            "--log-file=stdout", "--simple-log", "--stun-only", $"--pidfile={pidFile}",
        ]);
        await coturn.WaitForLineAsync("Total General servers", Wait);

        using var rtp = RtpSession.Bind(new RtpSessionOptions { LocalAddress = IPAddress.Loopback, PortRangeStart = 40000, PortRangeEnd = 49999 });
        var client = new StunBindingClient(rtp, TimeProvider.System, new StunBindingOptions { Software = "intercom-test" });
        rtp.StunReceiver = client;
        rtp.StartReceiving();

        StunBindingResult result = await client.QueryAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Wait);

        Assert.True(result.Succeeded, result.Failure + "\n" + coturn.Tail());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, rtp.RtpPort), result.MappedAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), result.Server);
        Assert.True(rtp.StunPacketsReceived >= 1);
        Assert.Equal(0, rtp.MalformedPackets); // the response was not taken for RTP
        File.Delete(pidFile);
    }
}

using System.Net;
using System.Net.Sockets;
using Intercom.Media.Nat;
using Intercom.Media.Rtp;

namespace Intercom.Media.Tests.Nat;

/// <summary>
/// RFC 7983 on the RTP socket: a STUN datagram (first byte 0-3) goes to the STUN receiver, never to RTP; and a Binding
/// transaction run through the socket itself (SendStun, the receive loop) learns what a server on loopback answers.
/// </summary>
public sealed class RtpSocketStunTests
{
    private static RtpSession Bind() => RtpSession.Bind(new RtpSessionOptions
    {
        LocalAddress = IPAddress.Loopback,
        PortRangeStart = 30000,
        PortRangeEnd = 39999,
        RtcpInterval = TimeSpan.FromHours(1),
    });

    [Fact]
    public async Task A_stun_datagram_without_a_transaction_is_counted_as_stun_not_as_bad_rtp()
    {
        using var rtp = Bind();
        rtp.StartReceiving();
        using var sender = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] response = Rfc5769Vectors.IPv4Response;

        await sender.SendAsync(response, new IPEndPoint(IPAddress.Loopback, rtp.RtpPort));

        await Eventually.UntilAsync(() => rtp.StunPacketsReceived == 1, "the STUN datagram counted");
        Assert.Equal(0, rtp.MalformedPackets);
        Assert.Equal(0, rtp.PacketsReceived);
    }

    [Fact]
    public async Task A_binding_transaction_through_the_rtp_socket_learns_the_servers_answer()
    {
        using var rtp = Bind();
        var client = new StunBindingClient(rtp, TimeProvider.System);
        rtp.StunReceiver = client;
        rtp.StartReceiving();
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var serverEndPoint = (IPEndPoint)server.Client.LocalEndPoint!;
        var mapped = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40000);

        Task<StunBindingResult> query = client.QueryAsync(serverEndPoint);
        UdpReceiveResult request = await server.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(rtp.RtpPort, request.RemoteEndPoint.Port); // sent from the RTP socket itself
        await server.SendAsync(StunBindingClientTests.Response(request.Buffer, mapped), request.RemoteEndPoint);

        StunBindingResult result = await query.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(mapped, result.MappedAddress);
        Assert.Equal(0, rtp.MalformedPackets);
    }
}

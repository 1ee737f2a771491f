using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;

namespace Intercom.Media.Tests.Rtp;

public sealed class RtpSessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private sealed class Collector : IRtpPacketReceiver
    {
        public BlockingCollection<(RtpHeader Header, byte[] Payload)> Packets { get; } = new();

        public ConcurrentQueue<uint> SourceChanges { get; } = new();

        public void OnRtpPacket(RtpPacket packet, long arrivalTimestamp) => Packets.Add((packet.Header, packet.Payload.ToArray()));

        public void OnSourceChanged(uint ssrc) => SourceChanges.Enqueue(ssrc);

        public (RtpHeader Header, byte[] Payload) Take()
        {
            Assert.True(Packets.TryTake(out (RtpHeader, byte[]) item, Timeout), "no packet within the timeout");
            return item;
        }
    }

    private static RtpSession Bind(IPAddress? address = null) => RtpSession.Bind(new RtpSessionOptions
    {
        LocalAddress = address ?? IPAddress.Loopback,
        PortRangeStart = 30000,
        PortRangeEnd = 39999,
        RtcpInterval = TimeSpan.FromHours(1),
    });

    private static NegotiatedMedia MediaTo(IPEndPoint rtp, bool mux = false, SrtpKeys? srtp = null) => new()
    {
        RemoteHost = rtp.Address.ToString(),
        RemoteRtpPort = rtp.Port,
        RemoteRtp = rtp,
        RemoteRtcp = mux ? rtp : new IPEndPoint(rtp.Address, rtp.Port + 1),
        SendFormat = MediaFormat.Pcmu,
        ReceivePayloadType = 0,
        ReceiveTelephoneEventPayloadType = 101,
        Direction = MediaDirection.SendReceive,
        PacketTime = 20,
        RtcpMux = mux,
        Srtp = srtp,
    };

    private static void WaitFor(Func<bool> condition, string what) => Eventually.Until(condition, what, Timeout);

    [Fact]
    public void Binds_an_even_rtp_port_with_rtcp_after_it()
    {
        using RtpSession session = Bind();
        Assert.Equal(0, session.RtpPort % 2);
        Assert.Equal(session.RtpPort + 1, session.RtcpPort);
        Assert.InRange(session.RtpPort, 30000, 39998);
    }

    [Fact]
    public void Packets_flow_both_ways_and_the_answerer_latches_to_the_real_source()
    {
        using RtpSession a = Bind();
        using RtpSession b = Bind();
        var atA = new Collector();
        var atB = new Collector();
        a.Start(atA);
        b.Start(atB);
        a.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, b.RtpPort)));
        // B was told a wrong port of A's address (as behind a NAT); it must answer to where A's packets come from, once
        // three audio packets of one SSRC proved that port (the first two are held back).
        b.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, 9)));

        Assert.True(a.Send(0, 160, true, [7]));
        Assert.True(a.Send(0, 320, false, [8]));
        WaitFor(() => b.UnlatchedSourcePackets == 2, "the first two packets wait for the probation");
        Assert.False(b.IsLatched);
        Assert.True(a.Send(0, 480, false, [1, 2, 3]));
        (RtpHeader header, byte[] payload) = atB.Take();
        Assert.Equal(a.Ssrc, header.Ssrc);
        Assert.False(header.Marker);
        Assert.Equal(new byte[] { 1, 2, 3 }, payload);
        Assert.True(b.IsLatched);
        Assert.Equal(1, b.Latches);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, a.RtpPort), b.RemoteRtpEndPoint);

        Assert.True(b.Send(0, 320, false, [4, 5]));
        Assert.Equal(new byte[] { 4, 5 }, atA.Take().Payload);
        Assert.Equal([a.Ssrc], atB.SourceChanges);
    }

    [Fact]
    public void Malformed_wrong_source_and_unexpected_payload_types_are_counted_and_dropped()
    {
        using RtpSession b = Bind();
        var atB = new Collector();
        b.Start(atB);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // Another host: only the signalled address (127.0.0.1) may send media.
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        b.Apply(MediaTo((IPEndPoint)peer.LocalEndPoint!));
        var target = new IPEndPoint(IPAddress.Loopback, b.RtpPort);
        var packet = new byte[64];

        peer.SendTo([0x80, 0x00, 0x01], target);
        WaitFor(() => b.MalformedPackets == 1, "malformed counted");

        int length = new RtpHeader(18, 1, 0, 77).Write([9], packet);
        peer.SendTo(packet.AsSpan(0, length), SocketFlags.None, target);
        WaitFor(() => b.UnexpectedPayloadTypePackets == 1, "payload type 18 was not negotiated");

        length = new RtpHeader(0, 2, 160, 77).Write([1], packet);
        peer.SendTo(packet.AsSpan(0, length), SocketFlags.None, target);
        Assert.Equal(77u, atB.Take().Header.Ssrc);

        length = new RtpHeader(0, 3, 320, 78).Write([1], packet);
        stranger.SendTo(packet.AsSpan(0, length), SocketFlags.None, target);
        WaitFor(() => b.WrongSourcePackets == 1, "a source at another address");

        // A new SSRC from the latched peer is a new source.
        peer.SendTo(packet.AsSpan(0, length), SocketFlags.None, target);
        Assert.Equal(78u, atB.Take().Header.Ssrc);
        Assert.Equal(1, b.SsrcChanges);
        Assert.Equal([77u, 78u], atB.SourceChanges);
        Assert.Equal(2, b.PacketsReceived);
    }

    [Fact]
    public void Srtp_protected_media_arrives_decrypted_and_a_wrong_key_is_rejected()
    {
        byte[] keyA = [.. Enumerable.Range(1, 30).Select(i => (byte)i)];
        byte[] keyB = [.. Enumerable.Range(101, 30).Select(i => (byte)i)];
        using RtpSession a = Bind();
        using RtpSession b = Bind();
        var atB = new Collector();
        a.Start(new Collector());
        b.Start(atB);
        a.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, b.RtpPort), srtp: new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, keyA, keyB)));
        b.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, a.RtpPort), srtp: new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, keyB, keyA)));

        byte[] audio = [.. Enumerable.Range(0, 160).Select(i => (byte)i)];
        Assert.True(a.Send(0, 0, false, audio));
        Assert.Equal(audio, atB.Take().Payload);

        b.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, a.RtpPort), srtp: new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, keyB, keyB)));
        Assert.True(a.Send(0, 160, false, audio));
        WaitFor(() => b.SrtpFailures == 1, "wrong key must fail authentication");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rtcp_reports_reach_the_peer_with_or_without_mux(bool mux)
    {
        using RtpSession a = Bind();
        using RtpSession b = Bind();
        var atB = new Collector();
        a.Start(new Collector());
        b.Start(atB);
        a.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, b.RtpPort), mux));
        b.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, a.RtpPort), mux));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(a.Send(0, (uint)(i * 160), false, new byte[160]));
            atB.Take();
        }

        Assert.True(a.SendReport());
        WaitFor(() => b.RtcpPacketsReceived == 1, "A's SR reaches B");
        Assert.True(b.SendReport());
        // Both are written by A's receive thread, one after the other: wait for the pair, not for the first of them.
        WaitFor(() => a.LastRemoteReport is not null && a.RoundTripTime is not null, "B's report about A's stream, and the round trip it gives");
        Assert.Equal(a.Ssrc, a.LastRemoteReport!.Value.Ssrc);
        Assert.Equal(0, a.LastRemoteReport.Value.CumulativeLost);
        Assert.True(a.RoundTripTime < TimeSpan.FromSeconds(1), $"a loopback round trip of {a.RoundTripTime}");
        Assert.Equal(0, a.MalformedPackets + b.MalformedPackets);
    }

    [Fact]
    public void Dispose_sends_a_bye()
    {
        using RtpSession b = Bind();
        b.Start(new Collector());
        RtpSession a = Bind();
        a.Start(new Collector());
        a.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, b.RtpPort)));
        b.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, a.RtpPort)));
        a.Dispose();
        WaitFor(() => b.GoodbyesReceived == 1, "BYE on close");
        Assert.False(a.Send(0, 0, false, [1]));
    }

    [Fact]
    public void Works_over_ipv6_loopback()
    {
        using RtpSession a = Bind(IPAddress.IPv6Loopback);
        using RtpSession b = Bind(IPAddress.IPv6Loopback);
        var atB = new Collector();
        b.Start(atB);
        a.Start(new Collector());
        a.Apply(MediaTo(new IPEndPoint(IPAddress.IPv6Loopback, b.RtpPort)));
        // B takes media only from the address its offer/answer signalled.
        b.Apply(MediaTo(new IPEndPoint(IPAddress.IPv6Loopback, a.RtpPort)) with { ReceivePayloadType = 8 });
        Assert.True(a.Send(8, 0, false, [42]));
        Assert.Equal(new byte[] { 42 }, atB.Take().Payload);
    }
}

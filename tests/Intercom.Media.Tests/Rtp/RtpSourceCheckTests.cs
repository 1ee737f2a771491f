using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Intercom.Media.Dtmf;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Media.Streams;

namespace Intercom.Media.Tests.Rtp;

/// <summary>
/// Media only from the signalled peer (issue #15, point 4): the session takes RTP and RTCP from the SDP connection
/// address alone, moves to another port of it (a NAT) only after three audio packets of one SSRC, never on comfort noise
/// or telephone-events, keeps sending to the peer while strangers spray it, and starts over when a re-INVITE moves the
/// peer. The attacker sits on 127.0.0.2, the peer on 127.0.0.1.
/// </summary>
public sealed class RtpSourceCheckTests : IDisposable
{
    private const byte Pcmu = 0;
    private const byte ComfortNoise = 13;
    private const byte Events = 101;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly IPAddress AttackerAddress = IPAddress.Parse("127.0.0.2");

    private readonly RtpSession _session = RtpSession.Bind(new RtpSessionOptions
    {
        LocalAddress = IPAddress.Loopback,
        PortRangeStart = 30000,
        PortRangeEnd = 39999,
        RtcpInterval = TimeSpan.FromHours(1),
    });

    private readonly Socket _peer = Udp(IPAddress.Loopback);
    private readonly Socket _attacker = Udp(AttackerAddress);
    private readonly Collector _delivered = new();
    private readonly byte[] _packet = new byte[256];

    public RtpSourceCheckTests() => _session.Start(_delivered);

    private IPEndPoint Target => new(IPAddress.Loopback, _session.RtpPort);

    private IPEndPoint PeerEndPoint => (IPEndPoint)_peer.LocalEndPoint!;

    public void Dispose()
    {
        _session.Dispose();
        _peer.Dispose();
        _attacker.Dispose();
    }

    [Fact]
    public void Comfort_noise_from_another_address_does_not_latch_and_audio_keeps_going_to_the_peer()
    {
        _session.Apply(MediaTo(PeerEndPoint));

        // The attack: one PT-13 packet (then more, and audio too) sprayed from an address not in the SDP.
        for (int i = 0; i < 5; i++)
        {
            SendRtp(_attacker, ComfortNoise, (ushort)i, 0x0BAD, [0x40]);
            SendRtp(_attacker, Pcmu, (ushort)(100 + i), 0x0BAD, new byte[160]);
        }

        WaitFor(() => _session.WrongSourcePackets == 10, "every stranger's packet is dropped and counted");
        Assert.Empty(_delivered.Packets);
        Assert.Equal(PeerEndPoint, _session.RemoteRtpEndPoint);
        Assert.False(_session.IsLatched);

        // Our audio still goes to the signalled peer, and nothing to the attacker.
        Assert.True(_session.Send(Pcmu, 160, true, [1, 2, 3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, Receive(_peer)[12..]);
        Assert.Equal(0, _attacker.Available);

        // The real peer is taken at once from its signalled endpoint.
        SendRtp(_peer, Pcmu, 1, 0x600D, new byte[160]);
        Assert.Equal(0x600Du, _delivered.Take().Ssrc);
        Assert.True(_session.IsLatched);
    }

    [Fact]
    public void Under_ice_media_goes_to_and_comes_only_from_the_selected_pair_not_the_sdp_address()
    {
        // The SDP named the peer's socket; ICE selected the "attacker's" address (as a peer's other candidate would be).
        _session.Apply(MediaTo(PeerEndPoint));
        _session.EnableIce();

        // Before a pair is selected nothing goes out and nothing is taken, from the SDP's address either.
        Assert.False(_session.Send(Pcmu, 160, true, [9]));
        SendRtp(_peer, Pcmu, 1, 0x600D, new byte[160]);
        WaitFor(() => _session.WrongSourcePackets == 1, "nothing before a pair is selected");

        IPEndPoint selected = (IPEndPoint)_attacker.LocalEndPoint!;
        _session.UseIcePair(selected);
        Assert.True(_session.Send(Pcmu, 320, false, [1, 2, 3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, Receive(_attacker)[12..]);
        Assert.Equal(0, _peer.Available);
        Assert.Equal(selected, _session.IceRemoteEndPoint);

        // The SDP's own address, even with audio of one SSRC in a row, no longer latches: only the pair counts.
        for (ushort i = 2; i < 8; i++)
        {
            SendRtp(_peer, Pcmu, i, 0x600D, new byte[160]);
        }

        WaitFor(() => _session.WrongSourcePackets == 7, "the signalled address is not the selected pair");
        Assert.Empty(_delivered.Packets);
        SendRtp(_attacker, Pcmu, 1, 0x1CE, new byte[160]);
        Assert.Equal(0x1CEu, _delivered.Take().Ssrc);

        // Consent lost (RFC 7675): nothing more is sent.
        _session.UseIcePair(null);
        Assert.False(_session.Send(Pcmu, 480, false, [4]));
    }

    [Fact]
    public void Under_ice_media_is_also_taken_from_another_valid_pair_but_still_sent_only_on_the_selected_one()
    {
        // RFC 8445 §12.1, as Chromium does it: the selected pair is the peer's socket, but the peer sends on its other
        // valid pair (the "attacker" socket here stands for that candidate of the peer's).
        _session.Apply(MediaTo(PeerEndPoint));
        _session.EnableIce();
        _session.UseIcePair(PeerEndPoint);
        SendRtp(_attacker, Pcmu, 1, 0x1CE, new byte[160]);
        WaitFor(() => _session.WrongSourcePackets == 1, "not valid yet: dropped");

        _session.AddIceValidRemote((IPEndPoint)_attacker.LocalEndPoint!, relay: null);
        SendRtp(_attacker, Pcmu, 2, 0x1CE, new byte[160]);
        Assert.Equal(0x1CEu, _delivered.Take().Ssrc);
        Assert.True(_session.Send(Pcmu, 320, false, [1, 2, 3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, Receive(_peer)[12..]);
        Assert.Equal(0, _attacker.Available);

        // Consent lost: no pair, nothing taken from the valid one either.
        _session.UseIcePair(null);
        SendRtp(_attacker, Pcmu, 3, 0x1CE, new byte[160]);
        WaitFor(() => _session.WrongSourcePackets == 2, "no selected pair: dropped");
        Assert.Empty(_delivered.Packets);
    }

    [Fact]
    public void Rfc4733_events_from_another_address_produce_no_digit()
    {
        NegotiatedMedia media = MediaTo(PeerEndPoint);
        using var stream = new AudioStream(_session, new AudioStreamOptions { DeviceSampleRate = 8000, DeviceFrameSamples = 160, MediaTimeout = TimeSpan.Zero });
        var digits = new BlockingCollection<char>();
        stream.DigitReceived += (digit, _) => digits.Add(digit);
        using var session = RtpSession.Bind(new RtpSessionOptions { LocalAddress = IPAddress.Loopback, PortRangeStart = 30000, PortRangeEnd = 39999, RtcpInterval = TimeSpan.FromHours(1) });
        session.Apply(media);
        stream.Apply(media);
        session.Start(stream);
        var target = new IPEndPoint(IPAddress.Loopback, session.RtpPort);

        // The door code as RFC 4733 events, well formed, with the negotiated payload type, from the attacker.
        SendDigits(_attacker, target, "1234", ssrc: 0x0BAD, sequence: 0, timestamp: 1000);
        WaitFor(() => session.WrongSourcePackets == 4 * 4, "all the attacker's event packets dropped");
        Assert.Equal(0, stream.GetStatistics().EventPacketsReceived);
        Assert.Empty(digits);

        // The same events from the signalled peer are digits.
        SendDigits(_peer, target, "5", ssrc: 0x600D, sequence: 0, timestamp: 1000);
        Assert.True(digits.TryTake(out char digit, Timeout), "the peer's digit");
        Assert.Equal('5', digit);
        Assert.Equal(16, session.WrongSourcePackets);
    }

    [Fact]
    public void The_real_peer_from_another_port_latches_after_three_audio_packets_of_one_ssrc()
    {
        // The SDP names a port nobody sends from (the peer is behind a NAT that rewrote its port).
        var signalled = new IPEndPoint(IPAddress.Loopback, FreeUdpPort());
        _session.Apply(MediaTo(signalled));

        SendRtp(_peer, Pcmu, 10, 0x600D, [1]);
        SendRtp(_peer, Pcmu, 11, 0x600D, [2]);
        WaitFor(() => _session.UnlatchedSourcePackets == 2, "held back during the probation");
        Assert.Empty(_delivered.Packets);
        Assert.Equal(signalled, _session.RemoteRtpEndPoint);

        SendRtp(_peer, Pcmu, 12, 0x600D, [3]);
        Assert.Equal(12, _delivered.Take().SequenceNumber);
        Assert.True(_session.IsLatched);
        Assert.Equal(PeerEndPoint, _session.RemoteRtpEndPoint);
        Assert.Equal(1, _session.Latches);

        Assert.True(_session.Send(Pcmu, 160, false, [9]));
        Assert.Equal(new byte[] { 9 }, Receive(_peer)[12..]);
    }

    [Fact]
    public void A_change_of_ssrc_or_a_jump_in_sequence_starts_the_probation_over()
    {
        _session.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, FreeUdpPort())));
        SendRtp(_peer, Pcmu, 10, 0x600D, [1]);
        SendRtp(_peer, Pcmu, 11, 0x600D, [1]);
        SendRtp(_peer, Pcmu, 12, 0x0BAD, [1]);
        SendRtp(_peer, Pcmu, 13, 0x0BAD, [1]);
        SendRtp(_peer, Pcmu, 5000, 0x0BAD, [1]);
        SendRtp(_peer, Pcmu, 5001, 0x0BAD, [1]);
        WaitFor(() => _session.UnlatchedSourcePackets == 6, "no three consistent packets yet");
        Assert.False(_session.IsLatched);

        SendRtp(_peer, Pcmu, 5002, 0x0BAD, [1]);
        Assert.Equal(5002, _delivered.Take().SequenceNumber);
    }

    [Fact]
    public void Comfort_noise_and_events_from_another_port_of_the_peers_address_never_latch()
    {
        var signalled = new IPEndPoint(IPAddress.Loopback, FreeUdpPort());
        _session.Apply(MediaTo(signalled));
        for (int i = 0; i < 6; i++)
        {
            SendRtp(_peer, ComfortNoise, (ushort)(20 + i), 0x600D, [0x40]);
            SendRtp(_peer, Events, (ushort)(40 + i), 0x600D, [1, 0x0A, 0, 160]);
        }

        WaitFor(() => _session.UnlatchedSourcePackets == 12, "none of them counts");
        Assert.Empty(_delivered.Packets);
        Assert.False(_session.IsLatched);
        Assert.Equal(signalled, _session.RemoteRtpEndPoint);
    }

    [Fact]
    public void A_second_stream_from_the_peers_address_does_not_take_over_while_the_peer_is_heard()
    {
        _session.Apply(MediaTo(PeerEndPoint));
        using var sameHost = Udp(IPAddress.Loopback);
        SendRtp(_peer, Pcmu, 1, 0x600D, [1]);
        _delivered.Take();
        for (int i = 0; i < 6; i++)
        {
            SendRtp(sameHost, Pcmu, (ushort)(100 + i), 0x0BAD, [2]);
        }

        WaitFor(() => _session.UnlatchedSourcePackets == 6, "the second stream is held back");
        Assert.Equal(PeerEndPoint, _session.RemoteRtpEndPoint);
        Assert.Equal(0, _session.Latches);
        Assert.Empty(_delivered.Packets);
    }

    [Fact]
    public void Rtcp_from_another_address_is_dropped_and_does_not_move_our_reports()
    {
        _session.Apply(MediaTo(PeerEndPoint));
        using var rtcp = Udp(AttackerAddress);
        // An RTCP BYE (RFC 3550 §6.6) for our own session, from the attacker, to our RTCP port.
        byte[] bye = [0x81, 203, 0, 1, 0, 0, 0x0B, 0xAD];
        rtcp.SendTo(bye, new IPEndPoint(IPAddress.Loopback, _session.RtcpPort));
        WaitFor(() => _session.WrongSourcePackets == 1, "dropped");
        Assert.Equal(0, _session.GoodbyesReceived);
        Assert.Equal(0, _session.RtcpPacketsReceived);
    }

    [Fact]
    public void A_renegotiation_that_moves_the_peer_rearms_the_check_and_one_that_does_not_keeps_the_latch()
    {
        // Latched on a NAT port of the first address.
        var signalled = new IPEndPoint(IPAddress.Loopback, FreeUdpPort());
        _session.Apply(MediaTo(signalled));
        for (ushort i = 0; i < 3; i++)
        {
            SendRtp(_peer, Pcmu, i, 0x600D, [1]);
        }

        _delivered.Take();
        Assert.Equal(PeerEndPoint, _session.RemoteRtpEndPoint);

        // A re-INVITE with the same SDP (a session refresh) keeps it: no new probation.
        _session.Apply(MediaTo(new IPEndPoint(IPAddress.Loopback, signalled.Port)));
        Assert.Equal(PeerEndPoint, _session.RemoteRtpEndPoint);
        SendRtp(_peer, Pcmu, 3, 0x600D, [1]);
        Assert.Equal(3, _delivered.Take().SequenceNumber);

        // A re-INVITE that moves the peer to another address: the old one is a stranger now, the new one is taken.
        using var moved = Udp(IPAddress.Parse("127.0.0.3"));
        _session.Apply(MediaTo((IPEndPoint)moved.LocalEndPoint!));
        Assert.Equal(moved.LocalEndPoint, _session.RemoteRtpEndPoint);
        Assert.False(_session.IsLatched);
        SendRtp(_peer, Pcmu, 4, 0x600D, [1]);
        WaitFor(() => _session.WrongSourcePackets == 1, "the old address is refused");
        SendRtp(moved, Pcmu, 5, 0x600D, [1]);
        Assert.Equal(5, _delivered.Take().SequenceNumber);
        Assert.Empty(_delivered.Packets);
    }

    [Fact]
    public void A_hold_by_the_unspecified_address_sends_nothing_and_still_takes_the_peers_media()
    {
        _session.Apply(MediaTo(PeerEndPoint));
        _session.Apply(MediaTo(PeerEndPoint) with { RemoteRtp = null, RemoteRtcp = null, RemoteHost = "0.0.0.0" });
        Assert.False(_session.Send(Pcmu, 0, false, [1]));
        SendRtp(_peer, Pcmu, 1, 0x600D, [1]);
        Assert.Equal(1, _delivered.Take().SequenceNumber);
        SendRtp(_attacker, Pcmu, 2, 0x600D, [1]);
        WaitFor(() => _session.WrongSourcePackets == 1, "a stranger is still refused");

        _session.Apply(MediaTo(PeerEndPoint));
        Assert.True(_session.Send(Pcmu, 0, false, [1]));
        Assert.Equal(new byte[] { 1 }, Receive(_peer)[12..]);
    }

    [Fact]
    public void Nothing_is_taken_before_an_address_was_signalled()
    {
        _session.Apply(MediaTo(PeerEndPoint) with { RemoteRtp = null, RemoteRtcp = null, RemoteHost = "door.example" });
        SendRtp(_peer, Pcmu, 1, 0x600D, [1]);
        WaitFor(() => _session.WrongSourcePackets == 1, "no signalled address yet");
        Assert.Empty(_delivered.Packets);
        Assert.False(_session.Send(Pcmu, 0, false, [1]));
    }

    [Fact]
    public void A_replayed_srtp_packet_after_a_same_key_renegotiation_is_still_refused()
    {
        byte[] ours = [.. Enumerable.Range(1, 30).Select(i => (byte)i)];
        byte[] theirs = [.. Enumerable.Range(101, 30).Select(i => (byte)i)];
        _session.Apply(MediaTo(PeerEndPoint, new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, ours, theirs)));
        using var protect = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, theirs);
        int length = new RtpHeader(Pcmu, 7, 1120, 0x600D).Write(new byte[160], _packet);
        length = protect.Protect(_packet, length);
        byte[] captured = _packet[..length];
        _peer.SendTo(captured, Target);
        Assert.Equal(7, _delivered.Take().SequenceNumber);

        // A re-INVITE repeats the keys: each a=crypto is parsed into new buffers, so the same bytes in other arrays.
        _session.Apply(MediaTo(PeerEndPoint, new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, ours.ToArray(), theirs.ToArray())));
        _peer.SendTo(captured, Target);
        WaitFor(() => _session.SrtpFailures == 1, "the replay is refused (RFC 3711 §3.3.2)");
        Assert.Empty(_delivered.Packets);

        // The next packet of the stream still passes: the context (and its rollover counter) carried on.
        length = new RtpHeader(Pcmu, 8, 1280, 0x600D).Write(new byte[160], _packet);
        _peer.SendTo(_packet.AsSpan(0, protect.Protect(_packet, length)), SocketFlags.None, Target);
        Assert.Equal(8, _delivered.Take().SequenceNumber);

        // New keys from the peer: a new context, which a packet under the old key no longer passes.
        byte[] rekeyed = [.. Enumerable.Range(201, 30).Select(i => (byte)i)];
        _session.Apply(MediaTo(PeerEndPoint, new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, ours, rekeyed)));
        length = new RtpHeader(Pcmu, 9, 1440, 0x600D).Write(new byte[160], _packet);
        _peer.SendTo(_packet.AsSpan(0, protect.Protect(_packet, length)), SocketFlags.None, Target);
        WaitFor(() => _session.SrtpFailures == 2, "the old key no longer authenticates");
    }

    [Fact]
    public void Srtp_keys_are_equal_by_value()
    {
        byte[] key = [.. Enumerable.Range(1, 30).Select(i => (byte)i)];
        var keys = new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, key, key);
        Assert.Equal(keys, new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, key.ToArray(), key.ToArray()));
        Assert.Equal(keys.GetHashCode(), new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, key.ToArray(), key.ToArray()).GetHashCode());
        Assert.NotEqual(keys, new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_32, key, key));
        byte[] other = key.ToArray();
        other[29] ^= 1;
        Assert.NotEqual(keys, new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, key, other));
        Assert.NotEqual(keys, new SrtpKeys(SrtpCryptoSuite.AesCm128HmacSha1_80, other, key));
    }

    [Fact]
    public void The_receive_path_allocates_nothing_for_the_peer_a_stranger_or_a_port_on_probation()
    {
        using RtpSession session = RtpSession.Bind(new RtpSessionOptions { LocalAddress = IPAddress.Loopback, PortRangeStart = 30000, PortRangeEnd = 39999, RtcpInterval = TimeSpan.FromHours(1) });
        session.Apply(MediaTo(PeerEndPoint));
        SocketAddress peer = PeerEndPoint.Serialize();
        SocketAddress stranger = new IPEndPoint(AttackerAddress, 5004).Serialize();
        SocketAddress otherPort = new IPEndPoint(IPAddress.Loopback, 5006).Serialize();
        var buffer = new byte[256];
        ushort sequence = 0;

        void Receive(SocketAddress from, byte payloadType)
        {
            int length = new RtpHeader(payloadType, sequence, sequence * 160u, 0x600D).Write(new ReadOnlySpan<byte>(_packet, 0, 160), buffer);
            sequence++;
            session.HandleRtp(buffer, length, from);
        }

        for (int i = 0; i < 100; i++)
        {
            Receive(peer, Pcmu);
            Receive(stranger, ComfortNoise);
            Receive(otherPort, Pcmu);
            Receive(otherPort, ComfortNoise);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Receive(peer, Pcmu);
            Receive(stranger, ComfortNoise);
            Receive(otherPort, Pcmu);
            Receive(otherPort, ComfortNoise);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);
        Assert.Equal(1100, session.PacketsReceived);
        Assert.Equal(1100, session.WrongSourcePackets);
        Assert.Equal(2200, session.UnlatchedSourcePackets);
    }

    private static Socket Udp(IPAddress address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    private static int FreeUdpPort()
    {
        using Socket socket = Udp(IPAddress.Loopback);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static void WaitFor(Func<bool> condition, string what) => Eventually.Until(condition, what, Timeout);

    private static byte[] Receive(Socket socket)
    {
        var buffer = new byte[2048];
        socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        int length = socket.Receive(buffer);
        return buffer[..length];
    }

    private NegotiatedMedia MediaTo(IPEndPoint rtp, SrtpKeys? srtp = null) => new()
    {
        RemoteHost = rtp.Address.ToString(),
        RemoteRtpPort = rtp.Port,
        RemoteRtp = rtp,
        RemoteRtcp = new IPEndPoint(rtp.Address, rtp.Port + 1),
        SendFormat = MediaFormat.Pcmu,
        ReceivePayloadType = Pcmu,
        SendTelephoneEventPayloadType = Events,
        ReceiveTelephoneEventPayloadType = Events,
        Direction = MediaDirection.SendReceive,
        PacketTime = 20,
        RtcpMux = false,
        Srtp = srtp,
    };

    private void SendRtp(Socket from, byte payloadType, ushort sequence, uint ssrc, byte[] payload) => SendRtp(from, Target, payloadType, sequence, sequence * 160u, ssrc, payload);

    private void SendRtp(Socket from, IPEndPoint to, byte payloadType, ushort sequence, uint timestamp, uint ssrc, byte[] payload)
    {
        int length = new RtpHeader(payloadType, sequence, timestamp, ssrc).Write(payload, _packet);
        from.SendTo(_packet.AsSpan(0, length), SocketFlags.None, to);
    }

    /// <summary>Each digit as RFC 4733 §2.5 sends it: a start, a continuation and two end packets of one event timestamp.</summary>
    private void SendDigits(Socket from, IPEndPoint to, string digits, uint ssrc, ushort sequence, uint timestamp)
    {
        var payload = new byte[TelephoneEvent.Size];
        foreach (char digit in digits)
        {
            byte code = (byte)(digit - '0');
            foreach ((bool end, ushort duration) in new[] { (false, (ushort)160), (false, (ushort)320), (true, (ushort)480), (true, (ushort)480) })
            {
                new TelephoneEvent(code, end, 10, duration).Write(payload);
                SendRtp(from, to, Events, sequence++, timestamp, ssrc, payload);
            }

            timestamp += 1600;
        }
    }

    private sealed class Collector : IRtpPacketReceiver
    {
        public BlockingCollection<RtpHeader> Packets { get; } = new();

        public void OnRtpPacket(RtpPacket packet, long arrivalTimestamp) => Packets.Add(packet.Header);

        public void OnSourceChanged(uint ssrc)
        {
        }

        public RtpHeader Take()
        {
            Assert.True(Packets.TryTake(out RtpHeader header, Timeout), "no packet within the timeout");
            return header;
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Intercom.Media.Dtls;
using Intercom.Media.Ice;
using Intercom.Media.Nat;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;
using Intercom.Media.Turn;

namespace Intercom.Media.Tests.Turn;

/// <summary>
/// A call's media through its TURN relay (issue #19): the RTP socket is the TURN client's socket (RFC 8656 §2), what the
/// server sends it is unwrapped (ChannelData §12.4, Data indications §11.4) and routed — a peer's RTP to the normal
/// receive path only while ICE's selected pair is that relay's to that peer, a peer's STUN to the agent, a Binding
/// answer to the STUN path — and our RTP leaves as ChannelData. A real RTP session on loopback against
/// <see cref="LoopbackTurnServer"/>.
/// </summary>
public sealed class TurnRelayedMediaTests : IDisposable
{
    private const byte Pcmu = 0;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("203.0.113.9"), 5000);
    private static readonly IPEndPoint Stranger = new(IPAddress.Parse("203.0.113.66"), 5000);
    private readonly LoopbackTurnServer _server = new();
    private readonly RtpSession _session = RtpSession.Bind(new RtpSessionOptions
    {
        LocalAddress = IPAddress.Loopback, PortRangeStart = 30000, PortRangeEnd = 39999, RtcpInterval = TimeSpan.FromHours(1),
    });

    private readonly byte[] _payload = new byte[160];

    private IPEndPoint Client => new(IPAddress.Loopback, _session.RtpPort);

    public void Dispose()
    {
        _session.TurnRelay?.Dispose();
        _session.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Rtp_relayed_from_the_selected_peer_as_channel_data_is_received_and_ours_leaves_as_channel_data()
    {
        TurnIceRelay relay = await AllocatedAsync();
        ushort channel = await relay.Allocation.BindChannelAsync(Peer).WaitAsync(Timeout);
        var received = new Collector();
        SelectRelayedPair(relay, Peer, received);

        _server.SendTo(Client, FakeTurnServer.ChannelDataMessage(channel, Rtp(7, 0x600D)));

        RtpHeader header = received.Take();
        Assert.Equal(0x600Du, header.Ssrc);
        Assert.Equal(7, header.SequenceNumber);
        Assert.Equal(1, _session.RelayedPacketsReceived);

        Assert.True(_session.Send(Pcmu, 160, false, _payload));
        Assert.True(_server.ChannelData.TryTake(out (ushort Channel, byte[] Data) sent, Timeout), "no ChannelData reached the server");
        Assert.Equal(channel, sent.Channel);
        Assert.True(RtpPacket.TryParse(sent.Data, out RtpPacket ours, out _));
        Assert.Equal(_session.Ssrc, ours.Header.Ssrc);
        Assert.Empty(_server.Indications);
    }

    [Fact]
    public async Task Rtp_relayed_in_a_data_indication_from_the_selected_peer_is_received()
    {
        TurnIceRelay relay = await AllocatedAsync();
        await relay.Allocation.CreatePermissionAsync(Peer.Address).WaitAsync(Timeout);
        var received = new Collector();
        SelectRelayedPair(relay, Peer, received);

        _server.SendTo(Client, _server.Answers.DataIndication(Peer, Rtp(9, 0xD474)));

        Assert.Equal(0xD474u, received.Take().Ssrc);
        Assert.Equal(1, _session.RelayedPacketsReceived);
    }

    [Fact]
    public async Task Relayed_rtp_from_another_peer_and_the_peers_rtp_straight_to_the_socket_are_dropped()
    {
        TurnIceRelay relay = await AllocatedAsync();
        using Socket peerSocket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var peer = (IPEndPoint)peerSocket.LocalEndPoint!;
        ushort peerChannel = await relay.Allocation.BindChannelAsync(peer).WaitAsync(Timeout);
        ushort strangerChannel = await relay.Allocation.BindChannelAsync(Stranger).WaitAsync(Timeout);
        var received = new Collector();
        SelectRelayedPair(relay, peer, received);

        // Another peer of the same allocation, and the selected peer's address itself but not through the relay.
        _server.SendTo(Client, FakeTurnServer.ChannelDataMessage(strangerChannel, Rtp(1, 0xBAD1)));
        peerSocket.SendTo(Rtp(2, 0xBAD2), Client);
        Eventually.Until(() => _session.WrongSourcePackets == 2, "both refused as wrong sources", Timeout, () => $"{_session.WrongSourcePackets}");

        _server.SendTo(Client, FakeTurnServer.ChannelDataMessage(peerChannel, Rtp(3, 0x600D)));
        Assert.Equal(0x600Du, received.Take().Ssrc);
        Assert.Equal(1, _session.PacketsReceived);
        Assert.Equal(1, _session.RelayedPacketsReceived);
        Assert.Equal(2, _session.WrongSourcePackets);
    }

    [Fact]
    public async Task Relayed_rtp_from_another_of_the_candidates_the_peer_signalled_is_received()
    {
        // As re (baresip) does: it nominated its srflx candidate but sends through its own relay, which it signalled too.
        TurnIceRelay relay = await AllocatedAsync();
        var phoneRelay = new IPEndPoint(IPAddress.Parse("198.51.100.10"), 50000);
        Assert.Equal(2, relay.PermitCandidates(
        [
            Candidate($"2 1 UDP 1694498815 {Peer.Address} {Peer.Port} typ srflx raddr 192.168.2.20 rport 40000"),
            Candidate($"3 1 UDP 16777215 {phoneRelay.Address} {phoneRelay.Port} typ relay raddr 0.0.0.0 rport 0"),
        ]));
        await Eventually.UntilAsync(() => relay.Allocation.ChannelOf(phoneRelay) is not null, "the channel to the phone's relay", Timeout);
        var received = new Collector();
        SelectRelayedPair(relay, Peer, received);

        _server.SendTo(Client, FakeTurnServer.ChannelDataMessage(relay.Allocation.ChannelOf(phoneRelay)!.Value, Rtp(4, 0x7E1A)));

        Assert.Equal(0x7E1Au, received.Take().Ssrc);
        Assert.True(relay.IsSignalledPeer(phoneRelay));
        Assert.False(relay.IsSignalledPeer(Stranger));
    }

    [Fact]
    public async Task A_peers_check_through_the_relay_goes_to_the_agent_and_a_binding_answer_from_the_server_to_the_stun_path()
    {
        TurnIceRelay relay = await AllocatedAsync();
        ushort channel = await relay.Allocation.BindChannelAsync(Peer).WaitAsync(Timeout);
        SelectRelayedPair(relay, Peer, new Collector());

        _server.SendTo(Client, FakeTurnServer.ChannelDataMessage(channel, Binding(StunMessageClass.Request)));
        Eventually.Until(() => relay.StunFromPeers == 1, "the relayed check handed to the agent", Timeout);

        // The TURN server answering a Binding request (it is the STUN server too): the STUN path's, not the allocation's.
        _server.SendTo(Client, Binding(StunMessageClass.SuccessResponse));
        Eventually.Until(() => _session.StunPacketsReceived == 1, "the Binding answer on the STUN path", Timeout);
        Assert.Equal(0, relay.Allocation.DatagramsDropped);
        Assert.Equal(0, _session.PacketsReceived);
        Assert.Equal(0, _session.MalformedPackets);
    }

    [Fact]
    public async Task A_dtls_handshake_runs_through_the_relay_with_the_selected_peer_and_another_peers_dtls_is_dropped()
    {
        TurnIceRelay relay = await AllocatedAsync();
        ushort peerChannel = await relay.Allocation.BindChannelAsync(Peer).WaitAsync(Timeout);
        ushort strangerChannel = await relay.Allocation.BindChannelAsync(Stranger).WaitAsync(Timeout);
        SelectRelayedPair(relay, Peer, new Collector());
        DtlsFingerprint fingerprint = DtlsContext.Station.Certificate.Fingerprint;
        using var ours = new DtlsEndpoint(DtlsContext.Station, DtlsRole.Server, _session, TimeProvider.System);
        ours.SetRemoteFingerprint(fingerprint);
        _session.Dtls = ours;
        ours.Start();

        // The peer behind the relay: what it sends reaches us as the server's ChannelData, what we send it is taken from
        // the server's side of our ChannelData (RFC 8656 §12).
        using var peer = new DtlsEndpoint(DtlsContext.Station, DtlsRole.Client, new ThroughServer(_server, Client, peerChannel), TimeProvider.System);
        peer.SetRemoteFingerprint(fingerprint);
        using var relaying = new CancellationTokenSource(Timeout);
        Task toPeer = Task.Run(() =>
        {
            while (!relaying.IsCancellationRequested)
            {
                if (_server.ChannelData.TryTake(out (ushort Channel, byte[] Data) sent, 50))
                {
                    Assert.Equal(peerChannel, sent.Channel);
                    peer.Receive(sent.Data);
                }
            }
        }, CancellationToken.None);
        peer.Start();

        Eventually.Until(() => ours.State == DtlsState.Connected && peer.State == DtlsState.Connected, "the handshake through the relay", Timeout,
            () => $"ours {ours.State} {ours.FailureReason}, peer {peer.State} {peer.FailureReason}");
        await relaying.CancelAsync();
        await toPeer;
        Assert.Equal(ours.Keys!.LocalMasterKey.ToArray(), peer.Keys!.RemoteMasterKey.ToArray());
        long taken = _session.DtlsPacketsReceived;
        Assert.True(taken >= 2, $"{taken} DTLS datagrams taken from the relay");

        // Another peer of the same allocation sends DTLS: dropped before the association sees it.
        _server.SendTo(Client, FakeTurnServer.ChannelDataMessage(strangerChannel, [22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0]));
        Eventually.Until(() => _session.WrongSourcePackets == 1, "the stranger's DTLS refused", Timeout);
        Assert.Equal(taken, _session.DtlsPacketsReceived);
        Assert.Equal(DtlsState.Connected, ours.State);
    }

    [Fact]
    public async Task Once_the_channel_is_bound_sending_and_receiving_through_the_relay_allocate_nothing()
    {
        TurnIceRelay relay = await AllocatedAsync();
        ushort channel = await relay.Allocation.BindChannelAsync(Peer).WaitAsync(Timeout);
        SelectRelayedPair(relay, Peer, new Counter());
        _server.KeepChannelData = false;
        SocketAddress server = _server.EndPoint.Serialize();
        byte[] frame = FakeTurnServer.ChannelDataMessage(channel, Rtp(0, 0x600D));
        var buffer = new byte[2048];
        ushort sequence = 0;

        void OneFrame()
        {
            Assert.True(_session.Send(Pcmu, sequence * 160u, false, _payload));

            // The server's ChannelData as the socket would read it: its RTP sequence number moved on each time.
            frame.CopyTo(buffer, 0);
            buffer[6] = (byte)(sequence >> 8);
            buffer[7] = (byte)sequence;
            sequence++;
            Assert.True(_session.HandleFromTurnServer(buffer, frame.Length, server));
        }

        for (int i = 0; i < 100; i++)
        {
            OneFrame();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            OneFrame();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);
        Assert.Equal(1100, _session.RelayedPacketsReceived);
        Assert.Equal(1100, _session.PacketsReceived);
        Assert.Equal(1100, relay.Allocation.ChannelDataSent);
        Assert.Equal(0, relay.Allocation.SendsDropped);

        // On the wire (not all 1100: a burst that size overruns the server socket's receive buffer on a busy machine).
        Eventually.Until(() => _server.ChannelDataCount > 0, "ChannelData at the server", Timeout);
    }

    [Fact]
    public async Task The_peers_udp_candidates_get_channels_and_thereby_permissions_before_the_checks()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        var relay = new TurnIceRelay(bed.Allocation);
        IceCandidate[] candidates =
        [
            Candidate("1 1 UDP 2130706431 192.168.2.20 40000 typ host"),
            Candidate("2 1 UDP 1694498815 198.51.100.2 31310 typ srflx raddr 192.168.2.20 rport 40000"),
            Candidate("3 1 UDP 16777215 198.51.100.10 50000 typ relay raddr 198.51.100.2 rport 31310"),
            Candidate("4 1 TCP 2105524479 198.51.100.2 9 typ host tcptype active"),
            Candidate("5 1 UDP 2130706430 2001:db8::20 40000 typ host"),
        ];

        Assert.Equal(3, relay.PermitCandidates(candidates));
        await bed.SettleAsync();

        Assert.Equal(
            ["192.168.2.20:40000", "198.51.100.2:31310", "198.51.100.10:50000"],
            bed.Server.RequestsOf(StunMethod.ChannelBind).Select(r => r.Peer!.ToString()));
        Assert.Equal(3, bed.Server.Permissions.Count);
        Assert.NotNull(bed.Allocation.ChannelOf(new IPEndPoint(IPAddress.Parse("198.51.100.10"), 50000)));

        // Again (a re-INVITE with the same candidates): nothing new.
        Assert.Equal(0, relay.PermitCandidates(candidates));
    }

    [Fact]
    public async Task Disposing_the_relay_releases_the_allocation_through_the_rtp_socket()
    {
        TurnIceRelay relay = await AllocatedAsync();

        relay.Dispose();

        Eventually.Until(() => _server.Requests.Contains((StunMethod.Refresh, 0u)), "a Refresh with LIFETIME 0", Timeout,
            () => string.Join(", ", _server.Requests));
        Assert.Equal(TurnAllocationState.Closed, relay.Allocation.State);
    }

    /// <summary>A peer's DTLS sent to us through the TURN server, on its channel.</summary>
    private sealed class ThroughServer(LoopbackTurnServer server, IPEndPoint client, ushort channel) : IDtlsDatagramSender
    {
        public bool SendDtls(ReadOnlySpan<byte> datagram)
        {
            server.SendTo(client, FakeTurnServer.ChannelDataMessage(channel, datagram.ToArray()));
            return true;
        }
    }

    private static IceCandidate Candidate(string text)
    {
        Assert.True(IceCandidate.TryParse(text, out IceCandidate? candidate, out IceCandidateParseError error), $"{text}: {error}");
        return candidate!;
    }

    private async Task<TurnIceRelay> AllocatedAsync()
    {
        var relay = new TurnIceRelay(new TurnAllocation(_session, _server.EndPoint, new TurnCredentials("u", "p")));
        _session.UseTurnRelay(relay);
        _session.StartReceiving();
        await relay.Allocation.AllocateAsync().WaitAsync(Timeout);
        return relay;
    }

    /// <summary>The call's state once ICE selected the relayed pair to <paramref name="peer"/> (RFC 8445 §12).</summary>
    private void SelectRelayedPair(TurnIceRelay relay, IPEndPoint peer, IRtpPacketReceiver receiver)
    {
        _session.Apply(new NegotiatedMedia
        {
            RemoteHost = peer.Address.ToString(),
            RemoteRtpPort = peer.Port,
            RemoteRtp = peer,
            RemoteRtcp = peer,
            SendFormat = MediaFormat.Pcmu,
            ReceivePayloadType = Pcmu,
            Direction = MediaDirection.SendReceive,
            PacketTime = 20,
            RtcpMux = true,
        });
        _session.Start(receiver);
        _session.EnableIce();
        _session.UseIcePair(peer, relay);
    }

    private byte[] Rtp(ushort sequence, uint ssrc)
    {
        var packet = new byte[256];
        int length = new RtpHeader(Pcmu, sequence, sequence * 160u, ssrc).Write(_payload, packet);
        return packet[..length];
    }

    private static byte[] Binding(StunMessageClass messageClass)
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, messageClass, StunTransactionId.New());
        writer.AddFingerprint();
        return buffer[..writer.Complete()];
    }

    private sealed class Collector : IRtpPacketReceiver
    {
        private readonly BlockingCollection<RtpHeader> _packets = new();

        public void OnRtpPacket(RtpPacket packet, long arrivalTimestamp) => _packets.Add(packet.Header);

        public void OnSourceChanged(uint ssrc)
        {
        }

        public RtpHeader Take()
        {
            Assert.True(_packets.TryTake(out RtpHeader header, Timeout), "no packet within the timeout");
            return header;
        }
    }

    private sealed class Counter : IRtpPacketReceiver
    {
        public long Packets;

        public void OnRtpPacket(RtpPacket packet, long arrivalTimestamp) => Packets++;

        public void OnSourceChanged(uint ssrc)
        {
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Intercom.Media.Nat;
using Intercom.Media.Turn;

namespace Intercom.Media.Tests.Turn;

/// <summary>Data to and from peers through the relay: Send/Data indications (RFC 8656 §11) and ChannelData (§12.4).</summary>
public sealed class TurnDataPathTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("203.0.113.9"), 5000);

    [Fact]
    public async Task Without_a_channel_data_goes_as_send_indications_and_comes_back_from_data_indications()
    {
        await using var bed = await new TurnTestBed(new TurnAllocationOptions { AutoBindChannels = false, AutoCreatePermissions = false }).AllocatedAsync();
        await bed.Allocation.CreatePermissionAsync(Peer.Address).WaitAsync(TurnTestBed.Bound);

        bed.Allocation.Send(Peer, [1, 2, 3, 4, 5]);

        (IPEndPoint to, byte[] data) = Assert.Single(bed.Server.Indications);
        Assert.Equal(Peer, to);
        Assert.Equal([1, 2, 3, 4, 5], data);
        Assert.Empty(bed.Server.RequestsOf(StunMethod.ChannelBind));

        Assert.Equal(TurnReceiveResult.PeerData, bed.Server.Deliver(bed.Server.DataIndication(Peer, [9, 8, 7]), out IPEndPoint? from, out byte[] payload));
        Assert.Equal(Peer, from);
        Assert.Equal([9, 8, 7], payload);
    }

    [Fact]
    public async Task Data_from_a_peer_without_a_permission_is_dropped()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        await bed.Allocation.CreatePermissionAsync(Peer.Address).WaitAsync(TurnTestBed.Bound);

        var stranger = new IPEndPoint(IPAddress.Parse("203.0.113.66"), 5000);
        Assert.Equal(TurnReceiveResult.Dropped, bed.Server.Deliver(bed.Server.DataIndication(stranger, [1])));
        Assert.Equal(TurnReceiveResult.PeerData, bed.Server.Deliver(bed.Server.DataIndication(new IPEndPoint(Peer.Address, 6000), [1])));
        Assert.Equal(1, bed.Allocation.DatagramsDropped);
    }

    [Fact]
    public async Task The_first_datagram_to_a_peer_binds_a_channel_and_later_ones_go_as_channel_data()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();

        bed.Allocation.Send(Peer, [1, 2, 3]);
        await bed.SettleAsync();

        // The first went as an indication while the ChannelBind (sent before it) was answered.
        Assert.Single(bed.Server.Indications);
        FakeTurnServer.Received bind = Assert.Single(bed.Server.RequestsOf(StunMethod.ChannelBind));
        Assert.Equal(Peer, bind.Peer);
        Assert.Equal((ushort)0x4000, bed.Allocation.ChannelOf(Peer));

        bed.Allocation.Send(new IPEndPoint(Peer.Address, Peer.Port), [4, 5, 6]); // an equal address, another instance
        (ushort channel, byte[] data, int length) = Assert.Single(bed.Server.ChannelData);
        Assert.Equal(0x4000, channel);
        Assert.Equal([4, 5, 6], data);
        Assert.Equal(7, length); // over UDP the ChannelData is not padded (§12.5)
        Assert.Equal(1, bed.Allocation.ChannelDataSent);
        Assert.Equal(1, bed.Allocation.IndicationsSent);

        // A second peer gets the next number.
        var second = new IPEndPoint(IPAddress.Parse("203.0.113.10"), 5000);
        Assert.Equal(0x4001, await bed.Allocation.BindChannelAsync(second).WaitAsync(TurnTestBed.Bound));
        Assert.Equal(0x4000, await bed.Allocation.BindChannelAsync(Peer).WaitAsync(TurnTestBed.Bound)); // bound already
        Assert.Equal(2, bed.Server.RequestsOf(StunMethod.ChannelBind).Count());
    }

    [Fact]
    public async Task Channel_data_from_the_server_is_unwrapped_to_the_bound_peer_and_unknown_channels_are_dropped()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        ushort channel = await bed.Allocation.BindChannelAsync(Peer).WaitAsync(TurnTestBed.Bound);

        byte[] padded = [.. FakeTurnServer.ChannelDataMessage(channel, [1, 2, 3, 4, 5]), 0, 0, 0];
        Assert.Equal(TurnReceiveResult.PeerData, bed.Server.Deliver(padded, out IPEndPoint? from, out byte[] payload));
        Assert.Equal(Peer, from);
        Assert.Equal([1, 2, 3, 4, 5], payload);

        Assert.Equal(TurnReceiveResult.Dropped, bed.Server.Deliver(FakeTurnServer.ChannelDataMessage(0x4001, [1])));
        Assert.Equal(TurnReceiveResult.Dropped, bed.Server.Deliver([0x40, 0x00, 0x00, 0x09, 1])); // longer than it is
        Assert.Equal(TurnReceiveResult.NotFromServer,
            bed.Allocation.Receive(FakeTurnServer.ChannelDataMessage(channel, [1]), Peer, out _, out _)); // not the server's address
    }

    [Fact]
    public async Task Sending_before_the_allocation_or_after_it_drops_the_datagram()
    {
        var bed = new TurnTestBed();
        bed.Allocation.Send(Peer, [1]);
        Assert.Equal(1, bed.Allocation.SendsDropped);
        await bed.AllocatedAsync();
        await bed.Allocation.DisposeAsync();
        bed.Allocation.Send(Peer, [1]);
        Assert.Equal(2, bed.Allocation.SendsDropped);
        Assert.Empty(bed.Server.Indications);
    }

    [Fact]
    public async Task The_channel_data_paths_allocate_nothing()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        ushort channel = await bed.Allocation.BindChannelAsync(Peer).WaitAsync(TurnTestBed.Bound);
        bed.Server.KeepChannelData = false;
        byte[] rtp = new byte[172];
        byte[] incoming = FakeTurnServer.ChannelDataMessage(channel, rtp);
        SocketAddress server = FakeTurnServer.DefaultAddress.Serialize();
        IPEndPoint serverEndPoint = FakeTurnServer.DefaultAddress;
        var peer = new IPEndPoint(Peer.Address, Peer.Port);
        Exercise();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Exercise();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1001, bed.Server.ChannelDataCount);

        void Exercise()
        {
            bed.Allocation.Send(peer, rtp);
            if (bed.Allocation.Receive(incoming, server, out _, out ReadOnlySpan<byte> a) != TurnReceiveResult.PeerData
                || bed.Allocation.Receive(incoming, serverEndPoint, out _, out ReadOnlySpan<byte> b) != TurnReceiveResult.PeerData
                || a.Length != rtp.Length || b.Length != rtp.Length)
            {
                throw new InvalidOperationException("not unwrapped");
            }
        }
    }

    [Fact]
    public async Task A_dual_stack_source_address_of_the_server_counts_as_the_server()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        var mapped = new IPEndPoint(FakeTurnServer.DefaultAddress.Address.MapToIPv6(), FakeTurnServer.DefaultAddress.Port);

        Assert.True(bed.Allocation.IsServer(mapped));
        Assert.True(bed.Allocation.IsServer(mapped.Serialize()));
        Assert.True(bed.Allocation.IsServer(FakeTurnServer.DefaultAddress.Serialize()));
        Assert.False(bed.Allocation.IsServer(new IPEndPoint(IPAddress.IPv6Loopback, 3478).Serialize()));
        Assert.False(bed.Allocation.IsServer(new SocketAddress(AddressFamily.InterNetwork)));
    }
}

using System.Net;
using System.Text;
using Intercom.Media.Turn;

namespace Intercom.Interop.Tests.Turn;

/// <summary>
/// Issue #19's TURN client over UDP against Debian's coturn on loopback: allocation with long-term credentials, a
/// permission, data both ways as Send/Data indications and then as ChannelData after ChannelBind, a refresh, the
/// release, and a wrong password.
/// </summary>
public sealed class CoturnUdpTurnTests
{
    [Fact]
    public async Task Allocates_relays_both_ways_with_indications_then_channel_data_refreshes_and_releases()
    {
        await using var coturn = await CoturnRelay.StartAsync();
        using var peers = new TurnPeer();
        var allocation = new TurnAllocation(peers, coturn.EndPoint, new TurnCredentials(CoturnRelay.Username, CoturnRelay.Password),
            new TurnAllocationOptions { AutoBindChannels = false, AutoCreatePermissions = false, Software = "intercom-test" });
        peers.Allocation = allocation;
        peers.StartReceiving();

        await allocation.AllocateAsync().WaitAsync(TurnPeer.Wait);
        Assert.Equal(IPAddress.Loopback, allocation.RelayedAddress.Address);
        Assert.NotEqual(coturn.Port, allocation.RelayedAddress.Port);
        Assert.Equal(peers.ClientEndPoint, allocation.MappedAddress); // on loopback the server sees the socket itself
        Assert.Equal(TimeSpan.FromSeconds(600), allocation.Lifetime);
        Assert.Equal(TurnPasswordAlgorithm.Md5, allocation.PasswordAlgorithm); // coturn offers no PASSWORD-ALGORITHMS

        // Permission, then the peer's datagram to the relayed address arrives at the client unwrapped (a Data indication).
        await allocation.CreatePermissionAsync(peers.RemoteEndPoint.Address).WaitAsync(TurnPeer.Wait);
        peers.Remote.SendTo("hello from the peer"u8, allocation.RelayedAddress);
        (IPEndPoint from, byte[] payload, bool channel) = await peers.NextAsync();
        Assert.Equal(peers.RemoteEndPoint, from);
        Assert.Equal("hello from the peer", Encoding.ASCII.GetString(payload));
        Assert.False(channel);

        // Back as a Send indication: the peer gets it from the relayed address.
        allocation.Send(peers.RemoteEndPoint, "hello from the station"u8);
        (byte[] data, IPEndPoint source) = peers.RemoteReceive();
        Assert.Equal("hello from the station", Encoding.ASCII.GetString(data));
        Assert.Equal(allocation.RelayedAddress, source);
        Assert.Equal(1, allocation.IndicationsSent);

        // ChannelBind: both directions as ChannelData from now on.
        ushort number = await allocation.BindChannelAsync(peers.RemoteEndPoint).WaitAsync(TurnPeer.Wait);
        Assert.InRange(number, (ushort)0x4000, (ushort)0x4FFF);
        peers.Remote.SendTo("over the channel"u8, allocation.RelayedAddress);
        (from, payload, channel) = await peers.NextAsync();
        Assert.True(channel, "coturn relays to a bound peer as ChannelData");
        Assert.Equal(peers.RemoteEndPoint, from);
        Assert.Equal("over the channel", Encoding.ASCII.GetString(payload));
        allocation.Send(peers.RemoteEndPoint, "channel reply"u8);
        (data, source) = peers.RemoteReceive();
        Assert.Equal("channel reply", Encoding.ASCII.GetString(data));
        Assert.Equal(allocation.RelayedAddress, source);
        Assert.Equal(1, allocation.ChannelDataSent);
        Assert.Equal(1, allocation.IndicationsSent);

        await allocation.RefreshAsync().WaitAsync(TurnPeer.Wait);
        Assert.Equal(TurnAllocationState.Allocated, allocation.State);

        // Released (Refresh with LIFETIME 0): coturn removes it on its next timer tick, after which the same socket can
        // allocate again; an allocation left behind keeps answering 437 for its 600 s (the next test).
        await allocation.DisposeAsync().AsTask().WaitAsync(TurnPeer.Wait);
        Assert.Equal(TurnAllocationState.Closed, allocation.State);
        TurnAllocation? again = null;
        await Eventually.UntilAsync(async () =>
        {
            again = new TurnAllocation(peers, coturn.EndPoint, new TurnCredentials(CoturnRelay.Username, CoturnRelay.Password));
            peers.Allocation = again;
            try
            {
                await again.AllocateAsync().WaitAsync(TurnPeer.Wait);
                return true;
            }
            catch (TurnException e) when (e.ErrorCode == 437)
            {
                return false;
            }
        }, "a new allocation on the released 5-tuple", TimeSpan.FromSeconds(3), () => coturn.Log, TimeSpan.FromMilliseconds(250));
        Assert.Equal(TurnAllocationState.Allocated, again!.State);
        await again.DisposeAsync();
    }

    [Fact]
    public async Task Without_the_release_the_same_socket_gets_437_allocation_mismatch()
    {
        await using var coturn = await CoturnRelay.StartAsync();
        using var peers = new TurnPeer();
        var first = new TurnAllocation(peers, coturn.EndPoint, new TurnCredentials(CoturnRelay.Username, CoturnRelay.Password),
            new TurnAllocationOptions { ReleaseTimeout = TimeSpan.Zero });
        peers.Allocation = first;
        peers.StartReceiving();
        await first.AllocateAsync().WaitAsync(TurnPeer.Wait);
        await first.DisposeAsync(); // ReleaseTimeout 0: nothing is sent

        // Still there after the 3 s in which a released one is gone (the test above).
        var observed = System.Diagnostics.Stopwatch.StartNew();
        TurnException? last = null;
        do
        {
            await using var second = new TurnAllocation(peers, coturn.EndPoint, new TurnCredentials(CoturnRelay.Username, CoturnRelay.Password));
            peers.Allocation = second;
            last = await Assert.ThrowsAsync<TurnException>(() => second.AllocateAsync().WaitAsync(TurnPeer.Wait));
            Assert.Equal(437, last.ErrorCode);
            await Task.Delay(250); // an observation window, not a synchronisation: the allocation must outlast it
        }
        while (observed.Elapsed < TimeSpan.FromSeconds(3));

        Assert.Contains("an allocation already exists for this client address and port", last.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_fails_the_allocation_with_a_clear_error()
    {
        await using var coturn = await CoturnRelay.StartAsync();
        using var peers = new TurnPeer();
        await using var allocation = new TurnAllocation(peers, coturn.EndPoint, new TurnCredentials(CoturnRelay.Username, "not-the-password"));
        peers.Allocation = allocation;
        peers.StartReceiving();

        TurnException e = await Assert.ThrowsAsync<TurnException>(() => allocation.AllocateAsync().WaitAsync(TurnPeer.Wait));

        Assert.Equal(401, e.ErrorCode);
        Assert.Equal($"TURN server {coturn.EndPoint} refused Allocate: 401 Unauthorized: the username 'u' or its password is wrong for this server", e.Message);
        Assert.Equal(TurnAllocationState.Failed, allocation.State);
        Assert.Equal(2, peers.Transactions.Count); // the challenge answered once, not again with the same credential
    }

    [Fact]
    public async Task A_peer_coturn_denies_fails_the_permission_with_403()
    {
        await using var coturn = await CoturnRelay.StartAsync();
        using var peers = new TurnPeer();
        await using var allocation = new TurnAllocation(peers, coturn.EndPoint, new TurnCredentials(CoturnRelay.Username, CoturnRelay.Password));
        peers.Allocation = allocation;
        peers.StartReceiving();
        await allocation.AllocateAsync().WaitAsync(TurnPeer.Wait);

        // 0.0.0.0/8 is never a peer (coturn denies it unless configured otherwise), and coturn signs the 403.
        TurnException e = await Assert.ThrowsAsync<TurnException>(() => allocation.CreatePermissionAsync(IPAddress.Parse("0.0.0.1")).WaitAsync(TurnPeer.Wait));

        Assert.Equal(403, e.ErrorCode);
        Assert.Contains("refused CreatePermission: 403 Forbidden IP: the server forbids relaying to this peer address", e.Message, StringComparison.Ordinal);
        Assert.Equal(TurnAllocationState.Allocated, allocation.State);
    }
}

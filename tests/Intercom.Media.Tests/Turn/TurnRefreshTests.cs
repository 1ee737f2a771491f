using System.Net;
using Intercom.Media.Nat;
using Intercom.Media.Turn;

namespace Intercom.Media.Tests.Turn;

/// <summary>What keeps an allocation, its permissions and its channels alive (RFC 8656 §8, §9, §12), on a fake clock.</summary>
public sealed class TurnRefreshTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("203.0.113.9"), 5000);

    [Fact]
    public async Task The_allocation_is_refreshed_a_minute_before_its_lifetime_ends_and_again_on_the_new_lifetime()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();

        await bed.AdvanceToAsync(539_999);
        Assert.Empty(bed.Server.RequestsOf(StunMethod.Refresh));
        await bed.AdvanceToAsync(540_000);
        FakeTurnServer.Received refresh = Assert.Single(bed.Server.RequestsOf(StunMethod.Refresh));
        Assert.Equal(540_000, refresh.At);
        Assert.Null(refresh.Lifetime); // no LIFETIME asked for: the server's default
        Assert.True(refresh.Signed);
        Assert.Equal(bed.Time.GetUtcNow() + TimeSpan.FromSeconds(600), bed.Allocation.ExpiresAt);

        // The server grants 300 s this time: the next refresh comes 240 s later.
        bed.Server.Lifetime = 300;
        await bed.AdvanceToAsync(1_080_000);
        Assert.Equal([540_000, 1_080_000], bed.Server.RequestsOf(StunMethod.Refresh).Select(r => r.At));
        await bed.AdvanceToAsync(1_319_999);
        Assert.Equal(2, bed.Server.RequestsOf(StunMethod.Refresh).Count());
        await bed.AdvanceToAsync(1_320_000);
        Assert.Equal(3, bed.Server.RequestsOf(StunMethod.Refresh).Count());
        Assert.Equal(TurnAllocationState.Allocated, bed.Allocation.State);
    }

    [Fact]
    public async Task A_requested_lifetime_is_asked_for_in_allocate_and_refresh()
    {
        await using var bed = await new TurnTestBed(new TurnAllocationOptions { RequestedLifetime = TimeSpan.FromSeconds(120) }).AllocatedAsync();

        Assert.Equal(120u, bed.Server.RequestsOf(StunMethod.Allocate).Last().Lifetime);
        Assert.Equal(TimeSpan.FromSeconds(120), bed.Allocation.Lifetime);

        // 120 s granted: refreshed at half its lifetime, since the 60 s margin may not exceed it.
        await bed.AdvanceToAsync(60_000);
        Assert.Equal(120u, Assert.Single(bed.Server.RequestsOf(StunMethod.Refresh)).Lifetime);
    }

    [Fact]
    public async Task An_unanswered_refresh_is_retransmitted_then_tried_again_while_the_allocation_lasts_then_it_is_lost()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        TurnException? lost = null;
        bed.Allocation.Lost += (_, e) => lost = e;
        bed.Server.Silent = true;

        // 540 s: Refresh; RFC 8489 §6.2.1 retransmissions at +0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; no answer by +39.5 s.
        long[] offsets = [0, 500, 1500, 3500, 7500, 15_500, 31_500];
        for (int i = 0; i < offsets.Length; i++)
        {
            await bed.StepAsync(540_000 + offsets[i], StunMethod.Refresh, i + 1);
        }

        Assert.Equal(offsets.Select(o => 540_000 + o), bed.Server.RequestsOf(StunMethod.Refresh).Select(r => r.At));
        Assert.True(bed.Server.RequestsOf(StunMethod.Refresh).All(r => r.Bytes.AsSpan(8, 12).SequenceEqual(bed.Server.Requests[^1].Bytes.AsSpan(8, 12))),
            "a retransmission is the same transaction");

        // 579.5 s: 20.5 s are left, so it is tried again 5 s later (a new transaction) ...
        bed.Time.Advance(TimeSpan.FromMilliseconds(579_500 - bed.Now));
        await bed.SettleAsync();
        Assert.Equal(TurnAllocationState.Allocated, bed.Allocation.State);
        await bed.StepAsync(584_499, StunMethod.Refresh, 7);
        for (int i = 0; i < offsets.Length; i++)
        {
            await bed.StepAsync(584_500 + offsets[i], StunMethod.Refresh, 8 + i);
        }

        // ... and when that one ends unanswered (624 s) the allocation has run out: it is lost.
        bed.Time.Advance(TimeSpan.FromMilliseconds(624_000 - bed.Now));
        // Lost is raised after the state turns Failed (outside the allocation's lock): wait for the event itself.
        await Eventually.UntilAsync(() => lost is not null, "Lost raised");
        Assert.Equal(TurnAllocationState.Failed, bed.Allocation.State);
        Assert.Contains("no answer", lost!.Message, StringComparison.Ordinal);
        Assert.Contains("Refresh", lost.Message, StringComparison.Ordinal);
        Assert.Same(lost, bed.Allocation.Failure);
    }

    [Fact]
    public async Task A_refresh_answered_437_means_the_allocation_is_gone()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        TurnException? lost = null;
        bed.Allocation.Lost += (_, e) => lost = e;
        bed.Server.FailNext(StunMethod.Refresh, 437, "Allocation Mismatch");

        await bed.AdvanceToAsync(540_000);

        Assert.Equal(TurnAllocationState.Failed, bed.Allocation.State);
        Assert.Equal(437, lost!.ErrorCode);
        Assert.Contains("no allocation for this client any more", lost.Message, StringComparison.Ordinal);

        // Nothing is relayed or refreshed after that.
        bed.Allocation.Send(Peer, [1, 2, 3]);
        Assert.Equal(1, bed.Allocation.SendsDropped);
        await bed.AdvanceToAsync(1_200_000);
        Assert.Single(bed.Server.RequestsOf(StunMethod.Refresh));
    }

    [Fact]
    public async Task Dispose_releases_the_allocation_with_lifetime_zero()
    {
        var bed = await new TurnTestBed().AllocatedAsync();

        await bed.Allocation.DisposeAsync();

        FakeTurnServer.Received release = Assert.Single(bed.Server.RequestsOf(StunMethod.Refresh));
        Assert.Equal(0u, release.Lifetime);
        Assert.True(release.Signed);
        Assert.False(bed.Server.Allocated);
        Assert.Equal(TurnAllocationState.Closed, bed.Allocation.State);
        await bed.AdvanceToAsync(1_200_000);
        Assert.Single(bed.Server.RequestsOf(StunMethod.Refresh)); // no refresh after that
        await bed.Allocation.DisposeAsync();
    }

    [Fact]
    public async Task Synchronous_dispose_sends_the_release_once_without_waiting()
    {
        var bed = await new TurnTestBed().AllocatedAsync();
        bed.Server.Silent = true;

        bed.Allocation.Dispose();

        Assert.Equal(0u, Assert.Single(bed.Server.RequestsOf(StunMethod.Refresh)).Lifetime);
        Assert.Equal(TurnAllocationState.Closed, bed.Allocation.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => bed.Allocation.CreatePermissionAsync(Peer.Address));
    }

    [Fact]
    public async Task A_permission_is_renewed_every_240_seconds()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        await bed.Allocation.CreatePermissionAsync(Peer.Address).WaitAsync(TurnTestBed.Bound);
        Assert.True(bed.Allocation.HasPermission(Peer.Address));
        Assert.Contains(Peer.Address, bed.Server.Permissions);

        await bed.AdvanceToAsync(239_999);
        Assert.Single(bed.Server.RequestsOf(StunMethod.CreatePermission));
        await bed.AdvanceToAsync(240_000);
        await bed.AdvanceToAsync(480_000);
        Assert.Equal([0, 240_000, 480_000], bed.Server.RequestsOf(StunMethod.CreatePermission).Select(r => r.At));
        Assert.All(bed.Server.RequestsOf(StunMethod.CreatePermission), r => Assert.Equal(Peer.Address, r.Peer!.Address));
    }

    [Fact]
    public async Task A_channel_is_renewed_every_540_seconds_and_its_permission_every_240()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        ushort channel = await bed.Allocation.BindChannelAsync(Peer).WaitAsync(TurnTestBed.Bound);
        Assert.Equal(0x4000, channel);
        Assert.Equal(Peer, bed.Server.Channels[channel]);
        Assert.Equal(channel, bed.Allocation.ChannelOf(Peer));
        Assert.True(bed.Allocation.HasPermission(Peer.Address)); // ChannelBind installs it (§12.1)

        await bed.AdvanceToAsync(240_000);
        await bed.AdvanceToAsync(480_000);
        await bed.AdvanceToAsync(539_999);
        Assert.Single(bed.Server.RequestsOf(StunMethod.ChannelBind));
        await bed.AdvanceToAsync(540_000);
        await bed.AdvanceToAsync(779_999);
        Assert.Equal(2, bed.Server.RequestsOf(StunMethod.CreatePermission).Count());
        await bed.AdvanceToAsync(780_000);
        await bed.AdvanceToAsync(1_020_000);
        await bed.AdvanceToAsync(1_080_000);

        // The ChannelBind at 540 s renewed the permission too (§12.1), so its next CreatePermission is 240 s after that.
        Assert.Equal([0, 540_000, 1_080_000], bed.Server.RequestsOf(StunMethod.ChannelBind).Select(r => r.At));
        Assert.All(bed.Server.RequestsOf(StunMethod.ChannelBind), r => Assert.Equal((ushort)0x4000, r.Channel));
        Assert.Equal([240_000, 480_000, 780_000, 1_020_000], bed.Server.RequestsOf(StunMethod.CreatePermission).Select(r => r.At));
    }

    [Fact]
    public async Task An_unanswered_permission_renewal_is_tried_again_after_five_seconds()
    {
        await using var bed = await new TurnTestBed(new TurnAllocationOptions { RequestCount = 1, LastWaitMultiplier = 2 }).AllocatedAsync();
        await bed.Allocation.CreatePermissionAsync(Peer.Address).WaitAsync(TurnTestBed.Bound);
        bed.Server.Silent = true;

        await bed.StepAsync(240_000, StunMethod.CreatePermission, 2);
        bed.Time.Advance(TimeSpan.FromMilliseconds(1000)); // Rc = 1, Rm = 2: no answer after 1 s
        await bed.SettleAsync();
        bed.Server.Silent = false;
        await bed.AdvanceToAsync(246_000);

        Assert.Equal([0, 240_000, 246_000], bed.Server.RequestsOf(StunMethod.CreatePermission).Select(r => r.At));
        Assert.True(bed.Allocation.HasPermission(Peer.Address));
        await bed.AdvanceToAsync(486_000);
        Assert.Equal(486_000, bed.Server.RequestsOf(StunMethod.CreatePermission).Last().At);
    }

    [Fact]
    public void Refresh_intervals_at_or_beyond_what_turn_grants_are_refused()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var server = new FakeTurnServer(time);
        Assert.Throws<ArgumentException>(() => new TurnAllocation(server, server.Address, new TurnCredentials("u", "p"),
            new TurnAllocationOptions { PermissionRefreshInterval = TimeSpan.FromSeconds(300) }, time));
        Assert.Throws<ArgumentException>(() => new TurnAllocation(server, server.Address, new TurnCredentials("u", "p"),
            new TurnAllocationOptions { ChannelRefreshInterval = TimeSpan.FromSeconds(600) }, time));
    }
}

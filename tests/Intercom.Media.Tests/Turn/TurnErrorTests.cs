using System.Net;
using Intercom.Media.Nat;
using Intercom.Media.Turn;

namespace Intercom.Media.Tests.Turn;

/// <summary>Error responses (RFC 8656 §7.4, §19) and silence end a request with a message that says what to do.</summary>
public sealed class TurnErrorTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("203.0.113.9"), 5000);

    [Theory]
    [InlineData(486, "Allocation Quota Reached", "as many allocations as the server allows")]
    [InlineData(508, "Insufficient Capacity", "no relayed address, port or channel left")]
    [InlineData(403, "Forbidden", "forbids this account to allocate")]
    [InlineData(437, "Allocation Mismatch", "an allocation already exists for this client address and port")]
    [InlineData(442, "Unsupported Transport Protocol", "does not relay UDP")]
    public async Task An_allocate_error_fails_with_its_code_and_meaning(int code, string reason, string meaning)
    {
        await using var bed = new TurnTestBed(server: s => s.FailNext(StunMethod.Allocate, code, reason));

        TurnException e = await Assert.ThrowsAsync<TurnException>(() => bed.Allocation.AllocateAsync().WaitAsync(TurnTestBed.Bound));

        Assert.Equal(code, e.ErrorCode);
        Assert.True(e.Message.Contains($"refused Allocate: {code} {reason}: ", StringComparison.Ordinal) && e.Message.Contains(meaning, StringComparison.Ordinal), e.Message);
        Assert.Contains("192.0.2.1:3478", e.Message, StringComparison.Ordinal);
        Assert.Equal(TurnAllocationState.Failed, bed.Allocation.State);
        Assert.Throws<InvalidOperationException>(() => bed.Allocation.RelayedAddress);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bed.Allocation.AllocateAsync());
    }

    [Fact]
    public async Task A_refused_permission_fails_with_403_and_the_peer_gets_none()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        bed.Server.FailNext(StunMethod.CreatePermission, 403, "Forbidden IP");

        TurnException e = await Assert.ThrowsAsync<TurnException>(() => bed.Allocation.CreatePermissionAsync(Peer.Address).WaitAsync(TurnTestBed.Bound));

        Assert.Equal(403, e.ErrorCode);
        Assert.Contains("refused CreatePermission: 403 Forbidden IP: the server forbids relaying to this peer address", e.Message, StringComparison.Ordinal);
        Assert.False(bed.Allocation.HasPermission(Peer.Address));
        Assert.Equal(TurnAllocationState.Allocated, bed.Allocation.State); // the allocation itself is fine

        // A refusal stands: no renewal is scheduled for it.
        await bed.AdvanceToAsync(600_000);
        Assert.Single(bed.Server.RequestsOf(StunMethod.CreatePermission));
    }

    [Fact]
    public async Task A_channel_bind_answered_441_says_the_credentials_differ()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        bed.Server.FailNext(StunMethod.ChannelBind, 441, "Wrong Credentials");

        TurnException e = await Assert.ThrowsAsync<TurnException>(() => bed.Allocation.BindChannelAsync(Peer).WaitAsync(TurnTestBed.Bound));

        Assert.Equal(441, e.ErrorCode);
        Assert.Contains("refused ChannelBind: 441 Wrong Credentials: the credentials differ from those the allocation was made with", e.Message, StringComparison.Ordinal);
        Assert.Null(bed.Allocation.ChannelOf(Peer));

        // Sending to the peer still works, as Send indications.
        bed.Allocation.Send(Peer, [1, 2, 3]);
        Assert.Single(bed.Server.Indications);
        Assert.Empty(bed.Server.ChannelData);
    }

    [Fact]
    public async Task A_permission_answered_437_means_the_allocation_is_lost()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        TurnException? lost = null;
        bed.Allocation.Lost += (_, e) => lost = e;
        bed.Server.FailNext(StunMethod.CreatePermission, 437, "Allocation Mismatch");

        await Assert.ThrowsAsync<TurnException>(() => bed.Allocation.CreatePermissionAsync(Peer.Address).WaitAsync(TurnTestBed.Bound));

        await Eventually.UntilAsync(() => lost is not null, "Lost raised");
        Assert.Equal(TurnAllocationState.Failed, bed.Allocation.State);
        Assert.Contains("no allocation for this client any more", lost!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_answer_to_allocate_fails_after_the_rfc_8489_retransmissions()
    {
        await using var bed = new TurnTestBed(server: s => s.Silent = true);
        Task allocate = bed.Allocation.AllocateAsync();

        long[] at = [0, 500, 1500, 3500, 7500, 15_500, 31_500];
        for (int i = 0; i < at.Length; i++)
        {
            await bed.StepAsync(at[i], StunMethod.Allocate, i + 1);
        }

        bed.Time.Advance(TimeSpan.FromMilliseconds(39_499 - bed.Now));
        Assert.False(allocate.IsCompleted);
        bed.Time.Advance(TimeSpan.FromMilliseconds(1));
        TurnException e = await Assert.ThrowsAsync<TurnException>(() => allocate.WaitAsync(TurnTestBed.Bound));
        Assert.Null(e.ErrorCode);
        Assert.Equal("no answer from TURN server 192.0.2.1:3478 to Allocate (7 requests in 39.5 s)", e.Message);
    }

    [Fact]
    public async Task Cancelling_allocate_throws_and_leaves_it_failed()
    {
        await using var bed = new TurnTestBed(server: s => s.Silent = true);
        using var cancel = new CancellationTokenSource();
        Task allocate = bed.Allocation.AllocateAsync(cancel.Token);
        await bed.StepAsync(0, StunMethod.Allocate, 1);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => allocate.WaitAsync(TurnTestBed.Bound));
        Assert.Equal(TurnAllocationState.Failed, bed.Allocation.State);
    }

    [Fact]
    public async Task A_300_redirects_the_allocate_to_the_alternate_server()
    {
        var alternate = new IPEndPoint(IPAddress.Parse("192.0.2.2"), 3478);
        await using var bed = new TurnTestBed();
        bed.Server.RedirectTo = alternate;

        await bed.Allocation.AllocateAsync().WaitAsync(TurnTestBed.Bound);

        Assert.Equal(alternate, bed.Allocation.ServerAddress);
        Assert.Equal(TurnAllocationState.Allocated, bed.Allocation.State);
        Assert.Equal([FakeTurnServer.DefaultAddress, alternate, alternate],
            bed.Server.RequestsOf(StunMethod.Allocate).Select(r => r.To));
        Assert.True(bed.Allocation.IsServer(alternate));
        Assert.False(bed.Allocation.IsServer(FakeTurnServer.DefaultAddress));
    }

    [Fact]
    public async Task An_unsigned_success_to_a_signed_request_is_dropped_and_the_request_retransmitted()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        bed.Server.SignSuccesses = false;
        Task refresh = bed.Allocation.RefreshAsync();

        // RFC 8489 §9.2.5 over UDP: as if it were never received (a forger off the path cannot sign it).
        Assert.False(refresh.IsCompleted);
        Assert.Equal(1, bed.Allocation.IgnoredResponses);
        bed.Server.SignSuccesses = true;
        await bed.StepAsync(500, StunMethod.Refresh, 2);
        await refresh.WaitAsync(TurnTestBed.Bound);
    }

    [Fact]
    public async Task A_response_to_no_request_or_from_another_address_is_not_taken()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        byte[] stray = bed.Server.Answer(bed.Server.RequestsOf(StunMethod.Allocate).Last().Bytes);

        Assert.Equal(TurnReceiveResult.Dropped, bed.Server.Deliver(stray)); // its transaction is over
        Assert.Equal(TurnReceiveResult.NotFromServer,
            bed.Allocation.Receive(stray, new IPEndPoint(IPAddress.Parse("192.0.2.66"), 3478), out _, out _));
        Assert.Equal(TurnReceiveResult.NotFromServer,
            bed.Allocation.Receive(stray, new IPEndPoint(FakeTurnServer.DefaultAddress.Address, 3479), out _, out _));
        Assert.Equal(TurnReceiveResult.Dropped, bed.Server.Deliver([0, 1, 2])); // not STUN
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Intercom.Media.Nat;
using Intercom.Media.Turn;

namespace Intercom.Media.Tests.Turn;

/// <summary>RFC 8489 §9.2 long-term credentials as a TURN client uses them (RFC 8656 §5, §7.1).</summary>
public sealed class TurnAuthenticationTests
{
    [Fact]
    public async Task The_first_allocate_is_unsigned_and_the_401_is_answered_with_the_md5_key_and_message_integrity()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();

        FakeTurnServer.Received[] allocates = [.. bed.Server.RequestsOf(StunMethod.Allocate)];
        Assert.Equal(2, allocates.Length);
        Assert.False(allocates[0].Signed);
        Assert.True(StunMessage.TryParse(allocates[1].Bytes, out StunMessage signed, out _));
        Assert.True(signed.TryGetUsername(out string? username));
        Assert.Equal("u", username);
        Assert.True(signed.TryGetRealm(out string? realm));
        Assert.Equal("test", realm);
        Assert.True(signed.TryGetNonce(out string? nonce));
        Assert.Equal("nonce-1", nonce);
        Assert.True(signed.VerifyMessageIntegrity(MD5.HashData(Encoding.UTF8.GetBytes("u:test:p"))));
        Assert.Equal(-1, FakeTurnServer.IndexOf(allocates[1].Bytes, StunAttributeType.MessageIntegritySha256));
        Assert.Equal(-1, FakeTurnServer.IndexOf(allocates[1].Bytes, StunAttributeType.PasswordAlgorithm));
        Assert.NotEqual(StunTransactionId.Read(allocates[0].Bytes.AsSpan(8)), signed.TransactionId); // a new transaction

        Assert.Equal(TurnAllocationState.Allocated, bed.Allocation.State);
        Assert.Equal(bed.Server.Relayed, bed.Allocation.RelayedAddress);
        Assert.Equal(bed.Server.ClientMapped, bed.Allocation.MappedAddress);
        Assert.Equal(FakeTurnServer.DefaultAddress, bed.Allocation.ServerAddress);
        Assert.Equal(TimeSpan.FromSeconds(600), bed.Allocation.Lifetime);
        Assert.Equal(TurnPasswordAlgorithm.Md5, bed.Allocation.PasswordAlgorithm);
    }

    [Fact]
    public async Task A_server_offering_password_algorithms_gets_sha256_and_message_integrity_sha256()
    {
        // The server prefers SHA-256 and also knows an algorithm this client does not (0x0003), listed first.
        await using var bed = await new TurnTestBed(server: s =>
        {
            s.PasswordAlgorithms = [0x0003, 0x0002, 0x0001];
            s.Nonce = "obMatJos2gAAAnonce"; // cookie "gAAA": the password-algorithms bit alone
        }).AllocatedAsync();

        byte[] signed = bed.Server.RequestsOf(StunMethod.Allocate).Last().Bytes;
        Assert.True(StunMessage.TryParse(signed, out StunMessage message, out _));
        Assert.False(message.HasMessageIntegrity);
        Assert.True(FakeTurnServer.VerifySha256(signed, SHA256.HashData(Encoding.UTF8.GetBytes("u:test:p"))));
        Assert.True(message.TryGetAttribute(StunAttributeType.PasswordAlgorithm, out ReadOnlySpan<byte> chosen));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16BigEndian(chosen));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(chosen[2..]));
        Assert.True(message.TryGetAttribute(StunAttributeType.PasswordAlgorithms, out ReadOnlySpan<byte> echoed));
        Assert.Equal(12, echoed.Length); // the server's list as it came
        Assert.Equal(TurnPasswordAlgorithm.Sha256, bed.Allocation.PasswordAlgorithm);

        // Every later request, and its answer, use the same (the server answers with MESSAGE-INTEGRITY-SHA256).
        await bed.Allocation.CreatePermissionAsync(IPAddress.Parse("203.0.113.9")).WaitAsync(TurnTestBed.Bound);
        Assert.True(FakeTurnServer.VerifySha256(bed.Server.RequestsOf(StunMethod.CreatePermission).Single().Bytes,
            SHA256.HashData(Encoding.UTF8.GetBytes("u:test:p"))));
    }

    [Fact]
    public async Task A_list_with_md5_first_is_followed_but_signed_with_message_integrity_sha256()
    {
        await using var bed = await new TurnTestBed(server: s => s.PasswordAlgorithms = [0x0001, 0x0002]).AllocatedAsync();

        byte[] signed = bed.Server.RequestsOf(StunMethod.Allocate).Last().Bytes;
        Assert.True(FakeTurnServer.VerifySha256(signed, MD5.HashData(Encoding.UTF8.GetBytes("u:test:p"))));
        Assert.Equal(TurnPasswordAlgorithm.Md5, bed.Allocation.PasswordAlgorithm);
    }

    [Fact]
    public async Task A_nonce_announcing_password_algorithms_without_the_list_is_a_downgrade_and_is_not_answered()
    {
        await using var bed = new TurnTestBed(server: s => s.Nonce = "obMatJos2gAAAnonce");

        TurnException e = await Assert.ThrowsAsync<TurnException>(() => bed.Allocation.AllocateAsync().WaitAsync(TurnTestBed.Bound));
        Assert.Contains("downgrade", e.Message, StringComparison.Ordinal);
        Assert.Single(bed.Server.RequestsOf(StunMethod.Allocate)); // no signed retry
        Assert.Equal(TurnAllocationState.Failed, bed.Allocation.State);
        Assert.Same(e, bed.Allocation.Failure);
    }

    [Fact]
    public async Task Only_unknown_password_algorithms_fail_without_a_retry()
    {
        await using var bed = new TurnTestBed(server: s => s.PasswordAlgorithms = [0x0007]);

        TurnException e = await Assert.ThrowsAsync<TurnException>(() => bed.Allocation.AllocateAsync().WaitAsync(TurnTestBed.Bound));
        Assert.Contains("no password algorithm", e.Message, StringComparison.Ordinal);
        Assert.Single(bed.Server.RequestsOf(StunMethod.Allocate));
    }

    [Fact]
    public async Task The_username_anonymity_bit_sends_userhash_instead_of_username()
    {
        // "wAAA": both security feature bits (password algorithms, username anonymity).
        await using var bed = await new TurnTestBed(server: s =>
        {
            s.PasswordAlgorithms = [0x0002];
            s.Nonce = "obMatJos2wAAAnonce";
        }).AllocatedAsync();

        byte[] signed = bed.Server.RequestsOf(StunMethod.Allocate).Last().Bytes;
        Assert.Equal(-1, FakeTurnServer.IndexOf(signed, StunAttributeType.Username));
        int offset = FakeTurnServer.IndexOf(signed, StunAttributeType.Userhash);
        Assert.True(offset > 0);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("u:test")), signed.AsSpan(offset + 4, 32).ToArray());
    }

    [Fact]
    public async Task A_wrong_password_is_refused_once_more_and_says_so_without_the_password()
    {
        await using var bed = new TurnTestBed(password: "not-the-password");

        TurnException e = await Assert.ThrowsAsync<TurnException>(() => bed.Allocation.AllocateAsync().WaitAsync(TurnTestBed.Bound));
        Assert.Equal(401, e.ErrorCode);
        Assert.Contains("401 Unauthorized", e.Message, StringComparison.Ordinal);
        Assert.Contains("username 'u' or its password is wrong", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", e.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, bed.Server.RequestsOf(StunMethod.Allocate).Count()); // §9.2.5: the same credential is not tried again
        Assert.Equal(FakeTurnServer.DefaultAddress, e.Server);
        Assert.DoesNotContain("not-the-password", new TurnCredentials("u", "not-the-password").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_nonce_is_replaced_and_the_request_sent_again()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        bed.Server.Nonce = "nonce-2";

        await bed.Allocation.RefreshAsync().WaitAsync(TurnTestBed.Bound);

        FakeTurnServer.Received[] refreshes = [.. bed.Server.RequestsOf(StunMethod.Refresh)];
        Assert.Equal(2, refreshes.Length);
        Assert.True(StunMessage.TryParse(refreshes[1].Bytes, out StunMessage retry, out _));
        Assert.True(retry.TryGetNonce(out string? nonce));
        Assert.Equal("nonce-2", nonce);

        // Later requests carry the new nonce at once.
        await bed.Allocation.CreatePermissionAsync(IPAddress.Parse("203.0.113.9")).WaitAsync(TurnTestBed.Bound);
        Assert.Single(bed.Server.RequestsOf(StunMethod.CreatePermission));
    }

    [Fact]
    public async Task A_server_that_keeps_answering_stale_nonce_fails_the_request_after_three_retries()
    {
        await using var bed = await new TurnTestBed().AllocatedAsync();
        var answer = bed.Server;
        int n = 0;

        // Every request meets a nonce that has just changed.
        var rotating = new RotatingNonceServer(answer, () => $"nonce-r{++n}");
        TurnException e = await Assert.ThrowsAsync<TurnException>(() => rotating.Run(() => bed.Allocation.RefreshAsync()).WaitAsync(TurnTestBed.Bound));
        Assert.Equal(438, e.ErrorCode);
        Assert.Contains("stale", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, bed.Server.RequestsOf(StunMethod.Refresh).Count());
    }

    /// <summary>Changes the server's nonce before each request it answers.</summary>
    private sealed class RotatingNonceServer(FakeTurnServer server, Func<string> next)
    {
        public async Task Run(Func<Task> action)
        {
            server.BeforeAnswer = () => server.Nonce = next();
            try
            {
                await action();
            }
            finally
            {
                server.BeforeAnswer = null;
            }
        }
    }
}

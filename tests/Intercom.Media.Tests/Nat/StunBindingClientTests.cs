using System.Net;
using System.Threading.Channels;
using Intercom.Media.Nat;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Media.Tests.Nat;

public sealed class StunBindingClientTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint Server = new(IPAddress.Parse("192.0.2.10"), 3478);
    private static readonly IPEndPoint Public = new(IPAddress.Parse("198.51.100.7"), 40000);

    [Fact]
    public async Task Retransmits_as_rfc8489_6_2_1_then_fails_after_Rm_times_RTO()
    {
        var time = new FakeTimeProvider();
        var transport = new RecordingTransport(time);
        var client = new StunBindingClient(transport, time);
        Task<StunBindingResult> query = client.QueryAsync(Server);

        // RTO 500 ms doubling, Rc = 7: requests at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; then Rm × RTO = 8 s.
        long[] expected = [0, 500, 1500, 3500, 7500, 15500, 31500];
        long now = 0;
        byte[]? first = null;
        foreach (long at in expected)
        {
            if (at > now)
            {
                time.Advance(TimeSpan.FromMilliseconds(at - now - 1));
                Assert.False(transport.Sent.Reader.TryRead(out _), $"a request before {at} ms");
                time.Advance(TimeSpan.FromMilliseconds(1));
                now = at;
            }

            (long sentAt, byte[] bytes, IPEndPoint to) = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
            Assert.Equal(at, sentAt);
            Assert.Equal(Server, to);
            first ??= bytes;
            Assert.Equal(first, bytes); // a retransmission is the same request, same transaction id (§6.2.1)
        }

        time.Advance(TimeSpan.FromMilliseconds(7999));
        Assert.False(query.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        StunBindingResult result = await query.WaitAsync(Bound);
        Assert.False(result.Succeeded);
        Assert.Contains("7 requests", result.Failure, StringComparison.Ordinal);
        Assert.Equal(7, client.RequestsSent);
        Assert.False(transport.Sent.Reader.TryRead(out _));
    }

    [Fact]
    public async Task The_request_is_a_binding_request_with_a_fingerprint()
    {
        var time = new FakeTimeProvider();
        var transport = new RecordingTransport(time);
        var client = new StunBindingClient(transport, time, new StunBindingOptions { Software = "intercom" });
        _ = client.QueryAsync(Server);
        (_, byte[] bytes, _) = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        Assert.True(StunMessage.TryParse(bytes, out StunMessage request, out _));
        Assert.Equal(StunMethod.Binding, request.Method);
        Assert.Equal(StunMessageClass.Request, request.Class);
        Assert.True(request.VerifyFingerprint());
        Assert.True(request.TryGetSoftware(out string? software));
        Assert.Equal("intercom", software);
    }

    [Fact]
    public async Task A_matching_response_from_the_server_yields_its_xor_mapped_address()
    {
        var time = new FakeTimeProvider();
        var transport = new RecordingTransport(time);
        var client = new StunBindingClient(transport, time);
        Task<StunBindingResult> query = client.QueryAsync(Server);
        (_, byte[] request, _) = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        Assert.True(client.OnStunPacket(Response(request, Public), Server));
        StunBindingResult result = await query.WaitAsync(Bound);
        Assert.True(result.Succeeded);
        Assert.Equal(Public, result.MappedAddress);
        Assert.Equal(Server, result.Server);
    }

    [Fact]
    public async Task Responses_with_another_id_or_from_another_source_are_ignored()
    {
        var time = new FakeTimeProvider();
        var transport = new RecordingTransport(time);
        var client = new StunBindingClient(transport, time);
        Task<StunBindingResult> query = client.QueryAsync(Server);
        (_, byte[] request, _) = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        byte[] forged = Response(request, new IPEndPoint(IPAddress.Parse("203.0.113.66"), 1));
        Assert.False(client.OnStunPacket(forged, new IPEndPoint(IPAddress.Parse("192.0.2.11"), 3478))); // another address
        Assert.False(client.OnStunPacket(forged, new IPEndPoint(Server.Address, 3479))); // another port
        byte[] otherId = (byte[])forged.Clone();
        otherId[19] ^= 1;
        Assert.False(client.OnStunPacket(otherId, Server));
        byte[] damaged = (byte[])forged.Clone();
        damaged[^1] ^= 1; // FINGERPRINT no longer matches
        Assert.False(client.OnStunPacket(damaged, Server));
        Assert.False(query.IsCompleted);
        Assert.Equal(3, client.IgnoredResponses);

        Assert.True(client.OnStunPacket(Response(request, Public), new IPEndPoint(Server.Address.MapToIPv6(), Server.Port)));
        Assert.Equal(Public, (await query.WaitAsync(Bound)).MappedAddress);
    }

    [Fact]
    public async Task An_error_response_fails_with_its_code_and_the_next_server_is_tried()
    {
        var time = new FakeTimeProvider();
        var transport = new RecordingTransport(time);
        var client = new StunBindingClient(transport, time);
        var second = new IPEndPoint(IPAddress.Parse("192.0.2.20"), 3478);
        Task<StunBindingResult> query = client.QueryAsync([Server, second]);

        (_, byte[] request, _) = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        Assert.True(client.OnStunPacket(ErrorResponse(request, 400, "Bad Request"), Server));
        (_, byte[] retry, IPEndPoint to) = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        Assert.Equal(second, to);
        Assert.True(client.OnStunPacket(Response(retry, Public), second));
        StunBindingResult result = await query.WaitAsync(Bound);
        Assert.Equal(Public, result.MappedAddress);
        Assert.Equal(second, result.Server);
    }

    [Fact]
    public async Task Cancelling_ends_the_transaction_with_a_failure_not_an_exception()
    {
        var time = new FakeTimeProvider();
        var transport = new RecordingTransport(time);
        var client = new StunBindingClient(transport, time);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
        Task<StunBindingResult> query = client.QueryAsync([Server, new IPEndPoint(IPAddress.Parse("192.0.2.20"), 3478)], deadline.Token);
        await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        time.Advance(TimeSpan.FromMilliseconds(1000));
        await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        // 0, 0.5 and 1.5 s sent; the deadline at 2 s ends it before the fourth (3.5 s), and the second server is not tried.
        time.Advance(TimeSpan.FromMilliseconds(500));
        StunBindingResult result = await query.WaitAsync(Bound);
        Assert.False(result.Succeeded);
        Assert.Contains("deadline", result.Failure, StringComparison.Ordinal);
        Assert.Equal(3, client.RequestsSent);
    }

    [Fact]
    public async Task A_success_without_an_address_or_with_an_unknown_required_attribute_fails()
    {
        var time = new FakeTimeProvider();
        var transport = new RecordingTransport(time);
        var client = new StunBindingClient(transport, time);
        Task<StunBindingResult> query = client.QueryAsync(Server);
        (_, byte[] request, _) = await transport.Sent.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        var buffer = new byte[100];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunMessageClass.SuccessResponse, TransactionOf(request));
        writer.AddXorMappedAddress(Public);
        writer.AddAttribute((StunAttributeType)0x7777, [1, 2, 3, 4]);
        Assert.True(client.OnStunPacket(buffer.AsSpan(0, writer.Complete()), Server));
        StunBindingResult result = await query.WaitAsync(Bound);
        Assert.False(result.Succeeded);
        Assert.Contains("0x7777", result.Failure, StringComparison.Ordinal);
    }

    internal static byte[] Response(byte[] request, IPEndPoint mapped)
    {
        var buffer = new byte[100];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunMessageClass.SuccessResponse, TransactionOf(request));
        writer.AddXorMappedAddress(mapped);
        writer.AddFingerprint();
        return buffer[..writer.Complete()];
    }

    private static byte[] ErrorResponse(byte[] request, int code, string reason)
    {
        var buffer = new byte[100];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunMessageClass.ErrorResponse, TransactionOf(request));
        writer.AddErrorCode(code, reason);
        return buffer[..writer.Complete()];
    }

    private static StunTransactionId TransactionOf(byte[] request) => StunTransactionId.Read(request.AsSpan(8));

    private sealed class RecordingTransport(FakeTimeProvider time) : IStunTransport
    {
        public Channel<(long At, byte[] Bytes, IPEndPoint To)> Sent { get; } = Channel.CreateUnbounded<(long, byte[], IPEndPoint)>();

        public bool SendStun(ReadOnlySpan<byte> datagram, IPEndPoint destination)
        {
            Sent.Writer.TryWrite(((long)(time.GetUtcNow() - time.Start).TotalMilliseconds, datagram.ToArray(), destination));
            return true;
        }
    }
}

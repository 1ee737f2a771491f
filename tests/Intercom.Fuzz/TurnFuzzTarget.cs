using System.Buffers.Binary;
using System.Net;
using Intercom.Media.Nat;
using Intercom.Media.Turn;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Fuzz;

/// <summary>
/// Fuzz target "turn": what a TURN client's receive path does with what its server sends. An allocation is made against
/// an in-memory server (unauthenticated, so a response needs no MESSAGE-INTEGRITY the fuzzer cannot forge), with a bound
/// channel and a permission; then the first byte picks:
/// <list type="bullet">
/// <item>0: the rest is a datagram from the server (ChannelData, Data indication, stray response) for <c>Receive</c>;</item>
/// <item>1: the rest answers a Refresh in flight: its transaction id and method are set to the request's (the class
/// kept), so success, error (401 and 438 answered, others failing), LIFETIME and unknown attributes are processed;</item>
/// <item>2: the rest is a TCP/TLS byte stream, cut by the stream framer and each frame received.</item>
/// </list>
/// A <see cref="TurnException"/> or cancellation ending the Refresh is the expected outcome of a bad answer; any other
/// exception escaping is a finding. The clock is fake: no timer fires on its own. Responses are processed inline (on this
/// thread, not a pool thread as in the station), so an input is done when <c>Run</c> returns.
/// </summary>
internal static class TurnFuzzTarget
{
    private static readonly IPEndPoint Server = new(IPAddress.Parse("192.0.2.1"), 3478);
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("203.0.113.9"), 5000);
    private static readonly IPEndPoint Permitted = new(IPAddress.Parse("203.0.113.10"), 5000);
    private static readonly byte[] Buffer = new byte[TurnStreamFramer.MaxFrame + StunMessage.MaxLength];
    private static InlineServer? _server;
    private static TurnAllocation? _allocation;

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        TurnAllocation allocation = Allocation();
        ReadOnlySpan<byte> body = data[1..];
        switch (data[0] % 3)
        {
            case 0:
                Touch(allocation.Receive(body, Server, out IPEndPoint? peer, out ReadOnlySpan<byte> payload), peer, payload);
                break;
            case 1:
                AnswerRefresh(allocation, body);
                break;
            default:
                Stream(allocation, body);
                break;
        }
    }

    private static void AnswerRefresh(TurnAllocation allocation, ReadOnlySpan<byte> body)
    {
        using var cancel = new CancellationTokenSource();
        Task refresh = allocation.RefreshAsync(cancel.Token);
        byte[] request = _server!.LastRequest!;
        Span<byte> answer = Buffer.AsSpan(0, body.Length);
        body.CopyTo(answer);
        if (answer.Length >= StunMessage.HeaderSize)
        {
            // The request's id, and its method with the fuzzer's class bits (§5: C0 is bit 4, C1 bit 8).
            request.AsSpan(8, 12).CopyTo(answer[8..]);
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(answer);
            ushort method = StunMessage.TypeOf(StunMethod.Refresh, StunMessageClass.Request);
            BinaryPrimitives.WriteUInt16BigEndian(answer, (ushort)((type & 0x0110) | method | (type & 0xC000)));
        }

        Touch(allocation.Receive(answer, Server, out IPEndPoint? peer, out ReadOnlySpan<byte> payload), peer, payload);
        cancel.Cancel();
        try
        {
            refresh.Wait();
        }
        catch (AggregateException e) when (e.InnerException is TurnException or OperationCanceledException)
        {
            // A bad answer fails the Refresh, or it was still waiting.
        }
    }

    private static void Stream(TurnAllocation allocation, ReadOnlySpan<byte> body)
    {
        while (!body.IsEmpty)
        {
            int frame = TurnStreamFramer.FrameLength(body);
            if (frame <= 0)
            {
                return;
            }

            Touch(allocation.Receive(body[..frame], Server, out IPEndPoint? peer, out ReadOnlySpan<byte> payload), peer, payload);
            body = body[frame..];
        }
    }

    private static void Touch(TurnReceiveResult result, IPEndPoint? peer, ReadOnlySpan<byte> payload)
    {
        if (result == TurnReceiveResult.PeerData && (peer is null || payload.Length > StunMessage.MaxLength + 65536))
        {
            throw new InvalidOperationException("peer data without a peer");
        }
    }

    /// <summary>The allocation, made again when a run left it failed or challenged (signed requests would need forged MACs).</summary>
    private static TurnAllocation Allocation()
    {
        if (_allocation is { State: TurnAllocationState.Allocated, PasswordAlgorithm: null })
        {
            return _allocation;
        }

        _allocation?.Dispose();
        var time = new FakeTimeProvider();
        _server = new InlineServer();
        _allocation = new TurnAllocation(_server, Server, new TurnCredentials("u", "p"), new TurnAllocationOptions { AutoBindChannels = false }, time)
        {
            ProcessResponsesInline = true,
        };
        _server.Client = _allocation;
        _allocation.AllocateAsync().Wait();
        _allocation.BindChannelAsync(Peer).Wait();
        _allocation.CreatePermissionAsync(Permitted.Address).Wait();
        _server.Answering = false;
        return _allocation;
    }

    /// <summary>Answers the setup requests at once, without authentication; afterwards only records what is sent.</summary>
    private sealed class InlineServer : IStunTransport
    {
        public TurnAllocation? Client { get; set; }

        public bool Answering { get; set; } = true;

        public byte[]? LastRequest { get; private set; }

        public bool SendStun(ReadOnlySpan<byte> datagram, IPEndPoint destination)
        {
            if (!StunMessage.TryParse(datagram, out StunMessage request, out _) || request.Class != StunMessageClass.Request)
            {
                return true;
            }

            LastRequest = datagram.ToArray();
            if (!Answering)
            {
                return true;
            }

            var response = new byte[256];
            var writer = new StunMessageWriter(response, request.Method, StunMessageClass.SuccessResponse, request.TransactionId);
            if (request.Method == StunMethod.Allocate)
            {
                writer.AddXorRelayedAddress(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 49152));
                writer.AddXorMappedAddress(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40000));
                writer.AddLifetime(600);
            }

            int length = writer.Complete();
            Client!.Receive(response.AsSpan(0, length), Server, out _, out _);
            return true;
        }
    }
}

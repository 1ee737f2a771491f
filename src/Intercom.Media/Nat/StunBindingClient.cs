using System.Net;
using System.Net.Sockets;

namespace Intercom.Media.Nat;

/// <summary>
/// Learns a socket's public mapping with STUN Binding requests (RFC 8489 §3.1, §6.2.1) sent from that very socket through
/// an <see cref="IStunTransport"/>; the socket's receive loop hands the STUN datagrams it sees (RFC 7983) to
/// <see cref="OnStunPacket"/>. Over UDP a request is retransmitted with an RTO of 500 ms doubling each time, 7 requests in
/// all, then the client waits 16 × RTO for an answer (39.5 s in all, unless cancelled first). A response counts only when
/// it carries the transaction's random id and comes from the server's address and port; a FINGERPRINT it carries must
/// match; a comprehension-required attribute the client does not know fails the transaction (§6.3.4). Servers of a list
/// are tried in order until one answers with an address. One transaction at a time; the time comes from a
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class StunBindingClient : IStunPacketReceiver
{
    private const int BufferSize = 256;

    // What a Binding success response may carry that we act on or may skip (§14; SOFTWARE and others are ≥ 0x8000).
    private static readonly StunAttributeType[] KnownRequired =
    [
        StunAttributeType.MappedAddress, StunAttributeType.XorMappedAddress, StunAttributeType.Username,
        StunAttributeType.MessageIntegrity, StunAttributeType.ErrorCode, StunAttributeType.UnknownAttributes,
        StunAttributeType.Realm, StunAttributeType.Nonce,
    ];

    private readonly IStunTransport _transport;
    private readonly TimeProvider _time;
    private readonly StunBindingOptions _options;
    private volatile Transaction? _pending;
    private long _requestsSent;
    private long _ignoredResponses;

    public StunBindingClient(IStunTransport transport, TimeProvider time, StunBindingOptions? options = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options ?? new StunBindingOptions();
        if (_options.RequestCount < 1 || _options.LastWaitMultiplier < 1 || _options.InitialRto <= TimeSpan.Zero)
        {
            throw new ArgumentException("RTO, Rc and Rm must be positive", nameof(options));
        }
    }

    /// <summary>Binding requests sent, retransmissions included.</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <summary>STUN responses with our transaction id that were not taken: from another source, or a bad FINGERPRINT.</summary>
    public long IgnoredResponses => Interlocked.Read(ref _ignoredResponses);

    /// <summary>
    /// Asks each of <paramref name="servers"/> in order until one answers with a mapped address; the first success, or
    /// the failures of all of them. Cancelling ends the transaction in progress with a failure (never an exception).
    /// </summary>
    public async Task<StunBindingResult> QueryAsync(IReadOnlyList<IPEndPoint> servers, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count == 0)
        {
            return StunBindingResult.Failed("no STUN server");
        }

        var failures = new List<string>(servers.Count);
        StunBindingResult? last = null;
        foreach (IPEndPoint server in servers)
        {
            last = await QueryAsync(server, cancellation).ConfigureAwait(false);
            if (last.Succeeded)
            {
                return last;
            }

            failures.Add(last.Failure!);
            if (cancellation.IsCancellationRequested)
            {
                break;
            }
        }

        return failures.Count == 1 ? last! : StunBindingResult.Failed(string.Join("; ", failures), last?.Server, last?.ErrorCode);
    }

    /// <summary>One Binding transaction with <paramref name="server"/> (§6.2.1 retransmissions), ended early by <paramref name="cancellation"/>.</summary>
    public async Task<StunBindingResult> QueryAsync(IPEndPoint server, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var id = StunTransactionId.New();
        var request = new byte[BufferSize];
        var writer = new StunMessageWriter(request, StunMethod.Binding, StunMessageClass.Request, id);
        if (_options.Software is { } software)
        {
            writer.AddSoftware(software);
        }

        writer.AddFingerprint();
        int length = writer.Complete();

        var transaction = new Transaction(id, server);
        if (Interlocked.CompareExchange(ref _pending, transaction, null) is not null)
        {
            throw new InvalidOperationException("A Binding transaction is already in progress on this client.");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            TimeSpan rto = _options.InitialRto;
            for (int sent = 1; sent <= _options.RequestCount; sent++)
            {
                // The wait is armed before the request leaves, so a clock moved by the answer's arrival cannot skip it.
                TimeSpan wait = sent == _options.RequestCount ? _options.InitialRto * _options.LastWaitMultiplier : rto;
                Task delay = Task.Delay(wait, _time, stop.Token);
                Interlocked.Increment(ref _requestsSent);
                _transport.SendStun(request.AsSpan(0, length), server);
                Task done = await Task.WhenAny(transaction.Completion.Task, delay).ConfigureAwait(false);
                if (done == transaction.Completion.Task)
                {
                    return await transaction.Completion.Task.ConfigureAwait(false);
                }

                if (cancellation.IsCancellationRequested)
                {
                    return StunBindingResult.Failed($"no answer from {server} before the deadline ({sent} request(s) sent)", server);
                }

                rto *= 2;
            }

            return StunBindingResult.Failed($"no answer from {server} to {_options.RequestCount} requests", server);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            Interlocked.CompareExchange(ref _pending, null, transaction);
        }
    }

    /// <summary>
    /// A STUN datagram that arrived on the socket: completes the transaction in progress when it is its response (§6.3.3,
    /// §6.3.4). Called from the socket's receive thread; never throws on what a peer sent.
    /// </summary>
    public bool OnStunPacket(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Transaction? transaction = _pending;
        if (transaction is null || !StunMessage.TryParse(datagram, out StunMessage message, out _)
            || message.Method != StunMethod.Binding || message.TransactionId != transaction.Id
            || message.Class is not (StunMessageClass.SuccessResponse or StunMessageClass.ErrorResponse))
        {
            return false;
        }

        if (!SameEndPoint(source, transaction.Server) || (message.HasFingerprint && !message.VerifyFingerprint()))
        {
            // A response with our id from elsewhere (a guess, or a spoofed source port) or damaged: not the server's.
            Interlocked.Increment(ref _ignoredResponses);
            return false;
        }

        IPEndPoint server = transaction.Server;
        StunBindingResult result;
        if (message.Class == StunMessageClass.ErrorResponse)
        {
            result = message.TryGetErrorCode(out int code, out string? reason)
                ? StunBindingResult.Failed($"{server} answered {code} {reason}", server, code)
                : StunBindingResult.Failed($"{server} answered an error without ERROR-CODE", server);
        }
        else if (message.TryGetUnknownRequiredAttribute(KnownRequired, out ushort unknown))
        {
            result = StunBindingResult.Failed($"{server} answered with unknown comprehension-required attribute 0x{unknown:x4}", server);
        }
        else if (message.TryGetXorMappedAddress(out IPEndPoint? mapped) || message.TryGetMappedAddress(out mapped))
        {
            result = StunBindingResult.Mapped(mapped!, server);
        }
        else
        {
            result = StunBindingResult.Failed($"{server} answered without a mapped address", server);
        }

        return transaction.Completion.TrySetResult(result);
    }

    /// <summary>Same address and port, an IPv4 address and its IPv4-mapped IPv6 form (a dual-stack socket) being the same.</summary>
    private static bool SameEndPoint(IPEndPoint a, IPEndPoint b) =>
        a.Port == b.Port && Normalise(a.Address).Equals(Normalise(b.Address));

    private static IPAddress Normalise(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed class Transaction(StunTransactionId id, IPEndPoint server)
    {
        public StunTransactionId Id { get; } = id;

        public IPEndPoint Server { get; } = server;

        public TaskCompletionSource<StunBindingResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

using System.Buffers.Binary;
using System.Net;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

public sealed partial class TurnAllocation
{
    // What a TURN response may carry that the client reads or may skip (§14, RFC 8656 §18); types ≥ 0x8000 are optional.
    private static readonly StunAttributeType[] KnownResponseAttributes =
    [
        StunAttributeType.MappedAddress, StunAttributeType.Username, StunAttributeType.ErrorCode, StunAttributeType.UnknownAttributes,
        StunAttributeType.ChannelNumber, StunAttributeType.Lifetime, StunAttributeType.XorPeerAddress, StunAttributeType.Data,
        StunAttributeType.Realm, StunAttributeType.Nonce, StunAttributeType.XorRelayedAddress, StunAttributeType.RequestedAddressFamily,
        (StunAttributeType)0x0018 /* EVEN-PORT */, StunAttributeType.RequestedTransport, StunAttributeType.DontFragment,
        StunAttributeType.XorMappedAddress, (StunAttributeType)0x0022 /* RESERVATION-TOKEN */, StunAttributeType.PasswordAlgorithm,
        StunAttributeType.Userhash,
    ];

    private readonly Dictionary<StunTransactionId, TurnTransaction> _pending = [];
    private volatile TurnAuthentication? _authentication;
    private long _requestsSent;
    private long _ignoredResponses;

    /// <summary>For the fuzz harness: a response is processed on the thread that hands it to <c>Receive</c>.</summary>
    internal bool ProcessResponsesInline { get; init; }

    /// <summary>Requests sent, retransmissions and retries after a challenge included.</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <summary>Responses not taken: no such transaction, another method, a bad FINGERPRINT or MESSAGE-INTEGRITY.</summary>
    public long IgnoredResponses => Interlocked.Read(ref _ignoredResponses);

    /// <summary>The password algorithm in use once the server challenged (MD5 unless it offered SHA-256 first).</summary>
    public TurnPasswordAlgorithm? PasswordAlgorithm => _authentication?.Algorithm;

    /// <summary>
    /// One request to the end: answers a 401 once with the credential, a 438 with the new nonce, an Allocate's 300 with the
    /// alternate server (UDP); returns a success response's bytes, or throws <see cref="TurnException"/>.
    /// </summary>
    private async Task<byte[]> TransactAsync(TurnRequest request, CancellationToken cancellation, bool allowRedirect = false)
    {
        var buffer = new byte[TurnRequest.MaxLength];
        bool answeredChallenge = false;
        int staleNonces = 0;
        int redirects = 0;
        while (true)
        {
            TurnAuthentication? authentication = _authentication;
            var id = StunTransactionId.New();
            int length = request.Write(buffer, id, authentication, _options.Software);
            IPEndPoint server = _link.Server;
            if (length == 0)
            {
                throw TurnErrors.Failed(server, request.Method, "the request does not fit in a message (a username, realm or nonce too long)");
            }

            var transaction = new TurnTransaction(id, request.Method, authentication, ProcessResponsesInline);
            (byte[]? response, string? failure) = await RunAsync(transaction, buffer.AsMemory(0, length), cancellation).ConfigureAwait(false);
            if (failure is not null)
            {
                throw TurnErrors.Failed(server, request.Method, failure);
            }

            if (response is null)
            {
                throw TurnErrors.NoAnswer(server, request.Method, _link.Transport == TurnTransport.Udp
                    ? $"{_options.RequestCount} requests in {UdpTransactionTime.TotalSeconds:0.#} s"
                    : $"none within {_options.StreamTransactionTimeout.TotalSeconds:0.#} s over {_link.Transport}");
            }

            if (StunMessage.ClassOf(BinaryPrimitives.ReadUInt16BigEndian(response)) == StunMessageClass.SuccessResponse)
            {
                if (TurnMessageReader.TryGetUnknownRequired(response, KnownResponseAttributes, out ushort unknown))
                {
                    throw TurnErrors.Failed(server, request.Method, $"the response has an unknown comprehension-required attribute 0x{unknown:x4}");
                }

                return response;
            }

            if (!TurnMessageReader.TryGetErrorCode(response, out int code, out string reason))
            {
                throw TurnErrors.Failed(server, request.Method, "an error response without a valid ERROR-CODE");
            }

            switch (code)
            {
                case 401 when authentication is null && !answeredChallenge:
                case 438 when authentication is null && !answeredChallenge:
                    // The challenge (RFC 8489 §9.2.5): answered once; a second 401 means the credential is wrong.
                    if (!TurnAuthentication.TryCreate(response, _credentials, out TurnAuthentication? created, out string why))
                    {
                        throw TurnErrors.Failed(server, request.Method, why);
                    }

                    _authentication = created;
                    answeredChallenge = true;
                    continue;
                case 438 when authentication is not null && staleNonces++ < _options.StaleNonceRetries:
                    if (!TurnMessageReader.TryGetText(response, StunAttributeType.Nonce, out string? nonce) || nonce!.Length == 0)
                    {
                        throw TurnErrors.Failed(server, request.Method, "438 (Stale Nonce) without a new NONCE");
                    }

                    _authentication = authentication.WithNonce(nonce);
                    continue;
                case 300 when allowRedirect && _link is TurnDatagramLink datagrams && redirects++ < _options.MaxRedirects:
                    if (!TurnMessageReader.TryGetAddress(response, StunAttributeType.AlternateServer, out IPEndPoint? alternate)
                        || alternate!.AddressFamily != server.AddressFamily)
                    {
                        throw TurnErrors.FromResponse(server, request.Method, code, reason + " (without a usable ALTERNATE-SERVER)", _credentials.Username);
                    }

                    // RFC 8489 §10: start over at the alternate server, credentials learned afresh.
                    datagrams.Redirect(alternate);
                    _authentication = null;
                    answeredChallenge = false;
                    staleNonces = 0;
                    continue;
                default:
                    throw TurnErrors.FromResponse(server, request.Method, code, reason, _credentials.Username);
            }
        }
    }

    private TimeSpan UdpTransactionTime
    {
        get
        {
            TimeSpan total = TimeSpan.Zero;
            TimeSpan rto = _options.InitialRto;
            for (int i = 1; i < _options.RequestCount; i++, rto *= 2)
            {
                total += rto;
            }

            return total + (_options.InitialRto * _options.LastWaitMultiplier);
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and waits for its answer: over UDP with §6.2.1's retransmissions, over a stream once
    /// for Ti. (null, null) when nothing answered; a failure when the stream is closed or the answer's integrity is bad.
    /// </summary>
    private async Task<(byte[]? Response, string? Failure)> RunAsync(TurnTransaction transaction, ReadOnlyMemory<byte> request, CancellationToken cancellation)
    {
        lock (_gate)
        {
            _pending.Add(transaction.Id, transaction);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _closing.Token);
        try
        {
            bool udp = _link.Transport == TurnTransport.Udp;
            TimeSpan rto = _options.InitialRto;
            int requests = udp ? _options.RequestCount : 1;
            for (int sent = 1; sent <= requests; sent++)
            {
                // The wait is armed before the request leaves, so an answer moving a test clock cannot skip it.
                TimeSpan wait = !udp ? _options.StreamTransactionTimeout
                    : sent == requests ? _options.InitialRto * _options.LastWaitMultiplier : rto;
                Task delay = Task.Delay(wait, _time, stop.Token);
                Interlocked.Increment(ref _requestsSent);
                if (!_link.Send(request.Span) && !udp)
                {
                    return (null, $"the {_link.Transport} connection to the server is closed");
                }

                Task done = await Task.WhenAny(transaction.Completion.Task, delay).ConfigureAwait(false);
                if (done == transaction.Completion.Task)
                {
                    return await transaction.Completion.Task.ConfigureAwait(false);
                }

                cancellation.ThrowIfCancellationRequested();
                if (_closing.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The TURN allocation was closed.");
                }

                rto *= 2;
            }

            return (null, null);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            lock (_gate)
            {
                _pending.Remove(transaction.Id);
            }
        }
    }

    /// <summary>
    /// A response from the server: completes its transaction when the id and method match, the FINGERPRINT (if any) is
    /// right, and a signed request's answer is signed with the same key (§9.2.5; a 401 or 438 cannot be). Over UDP a
    /// response that fails is dropped as if never received (the request is retransmitted); over a stream it fails the request.
    /// </summary>
    private TurnReceiveResult ReceiveResponse(ReadOnlySpan<byte> datagram, StunTransactionId id, StunMethod method, StunMessageClass messageClass)
    {
        TurnTransaction? transaction;
        lock (_gate)
        {
            _pending.TryGetValue(id, out transaction);
        }

        if (transaction is null || transaction.Method != method)
        {
            Interlocked.Increment(ref _ignoredResponses);
            return TurnReceiveResult.Dropped;
        }

        if (transaction.Authentication is { } authentication && !IsChallenge(datagram, messageClass)
            && !TurnIntegrity.Verify(datagram, authentication.Key))
        {
            Interlocked.Increment(ref _ignoredResponses);
            if (_link.Transport != TurnTransport.Udp)
            {
                transaction.Completion.TrySetResult((null, "the response's MESSAGE-INTEGRITY does not match the credential"));
            }

            return TurnReceiveResult.Dropped;
        }

        transaction.Completion.TrySetResult((datagram.ToArray(), null));
        return TurnReceiveResult.Response;
    }

    private static bool IsChallenge(ReadOnlySpan<byte> response, StunMessageClass messageClass) =>
        messageClass == StunMessageClass.ErrorResponse && TurnMessageReader.TryGetErrorCode(response, out int code, out _) && code is 401 or 438;

    /// <summary>Ends every waiting request with <paramref name="reason"/> (the connection closed, or the allocation did).</summary>
    private void FailPending(string reason)
    {
        TurnTransaction[] pending;
        lock (_gate)
        {
            pending = [.. _pending.Values];
        }

        foreach (TurnTransaction transaction in pending)
        {
            transaction.Completion.TrySetResult((null, reason));
        }
    }
}

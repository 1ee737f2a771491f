using System.Net;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>
/// A TURN client allocation (RFC 8656): a relayed transport address on the server, kept alive and used to reach peers.
/// <list type="bullet">
/// <item><b>Allocate</b> (§7) with long-term credentials (RFC 8489 §9.2): the first request goes unsigned, the server's
/// 401 gives REALM and NONCE (and PASSWORD-ALGORITHMS if it speaks RFC 8489's: then SHA-256 and
/// MESSAGE-INTEGRITY-SHA256, otherwise MD5 and MESSAGE-INTEGRITY), the request is signed and sent again; a 438 (Stale
/// Nonce) is answered with the new nonce. A second 401 means a wrong username or password and is not retried.</item>
/// <item><b>Refresh</b> (§8) before the LIFETIME runs out (<see cref="TurnAllocationOptions.RefreshMargin"/> before,
/// retried while it lasts when unanswered), and with LIFETIME 0 on <see cref="DisposeAsync"/> to release it.</item>
/// <item><b>Permissions</b> (§9, per peer IP, 300 s) and <b>channels</b> (§12, per peer address, 600 s), each renewed
/// before it expires. <see cref="Send"/> uses ChannelData once the peer's channel is bound (allocation-free) and Send
/// indications before that (§11); by default a new peer gets a channel (and with it a permission) on its first datagram.</item>
/// </list>
/// Over UDP the datagrams leave through the caller's socket (<see cref="IStunTransport"/>: a call's RTP socket is the
/// client's socket, §2) and the caller's receive loop hands what comes from <see cref="ServerAddress"/> to
/// <see cref="Receive(ReadOnlySpan{byte}, IPEndPoint, out IPEndPoint?, out ReadOnlySpan{byte})"/>, which unwraps the
/// peers' data and consumes the responses. Over TCP or TLS (<see cref="ConnectTcpAsync"/>, <see cref="ConnectTlsAsync"/>)
/// the allocation owns the connection and hands the peers' data to an <see cref="ITurnDataReceiver"/>; the relayed leg
/// is UDP in every case. The connection is not re-established when it drops: the server deletes the allocation with it
/// (§3.1), so the allocation turns <see cref="TurnAllocationState.Failed"/>, raises <see cref="Lost"/>, and its owner
/// allocates again if it still needs a relay (a new relayed address).
/// <para>Requests are retransmitted over UDP as RFC 8489 §6.2.1 says (RTO 500 ms doubling, 7 requests, 39.5 s) and wait
/// 39.5 s on a stream; a response counts only with the request's random transaction id and method, from the server's
/// address, and, once the client has signed its request, with a valid MESSAGE-INTEGRITY(-SHA256) of the same key (a 401
/// or 438 excepted). The time comes from a <see cref="TimeProvider"/>.</para>
/// </summary>
public sealed partial class TurnAllocation : IAsyncDisposable, IDisposable, ITurnLinkReceiver
{
    private const uint DefaultLifetimeSeconds = 600;

    // What a server's LIFETIME is held to: a timer cannot wait beyond ~49 days, and RFC 8656 §7.2's maximum is an hour by
    // default; a day is plenty and a refresh then merely comes early.
    private const uint MaxLifetimeSeconds = 86_400;

    private readonly ITurnServerLink _link;
    private readonly TurnCredentials _credentials;
    private readonly TurnAllocationOptions _options;
    private readonly TimeProvider _time;
    private readonly ITurnDataReceiver? _dataReceiver;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _closing = new();
    private volatile TurnAllocationState _state;
    private volatile IPEndPoint? _relayed;
    private IPEndPoint? _mapped;
    private TurnException? _failure;
    private ITimer? _refreshTimer;
    private DateTimeOffset _expiresAt;
    private TimeSpan _lifetime;

    /// <summary>
    /// An allocation over UDP at <paramref name="server"/>, its datagrams sent through <paramref name="sender"/> (the
    /// socket whose receive loop then calls <see cref="Receive(ReadOnlySpan{byte}, IPEndPoint, out IPEndPoint?, out ReadOnlySpan{byte})"/>).
    /// Nothing is sent before <see cref="AllocateAsync"/>.
    /// </summary>
    public TurnAllocation(IStunTransport sender, IPEndPoint server, TurnCredentials credentials, TurnAllocationOptions? options = null, TimeProvider? time = null)
        : this(new TurnDatagramLink(sender ?? throw new ArgumentNullException(nameof(sender)), server ?? throw new ArgumentNullException(nameof(server))),
            credentials, options, time, null)
    {
    }

    private TurnAllocation(ITurnServerLink link, TurnCredentials credentials, TurnAllocationOptions? options, TimeProvider? time, ITurnDataReceiver? dataReceiver)
    {
        _link = link;
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _options = options ?? new TurnAllocationOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _dataReceiver = dataReceiver;
    }

    /// <summary>The allocation is gone after it was made: a refresh failed, the server forgot it, the TCP/TLS connection closed.</summary>
    public event EventHandler<TurnException>? Lost;

    /// <summary>The relayed transport address peers send to (XOR-RELAYED-ADDRESS); only once <see cref="AllocateAsync"/> succeeded.</summary>
    public IPEndPoint RelayedAddress => _relayed ?? throw new InvalidOperationException("The TURN allocation has not been made.");

    /// <summary>The TURN server's transport address (after a 300 redirection, the server that allocated).</summary>
    public IPEndPoint ServerAddress => _link.Server;

    /// <summary>The client's address as the server saw it (XOR-MAPPED-ADDRESS of the Allocate response): a server-reflexive candidate for free.</summary>
    public IPEndPoint? MappedAddress => _mapped;

    /// <summary>How the client reaches the server.</summary>
    public TurnTransport Transport => _link.Transport;

    public TurnAllocationState State => _state;

    /// <summary>Why the allocation failed or was lost; null otherwise.</summary>
    public TurnException? Failure => Volatile.Read(ref _failure);

    /// <summary>The lifetime the server granted last (LIFETIME).</summary>
    public TimeSpan Lifetime
    {
        get
        {
            lock (_gate)
            {
                return _lifetime;
            }
        }
    }

    /// <summary>When the allocation expires unless refreshed.</summary>
    public DateTimeOffset ExpiresAt
    {
        get
        {
            lock (_gate)
            {
                return _expiresAt;
            }
        }
    }

    /// <summary>
    /// Opens a TCP connection to <paramref name="server"/> for an allocation (RFC 8656 §3.1); the peers' data goes to
    /// <paramref name="receiver"/>. Call <see cref="AllocateAsync"/> next.
    /// </summary>
    public static Task<TurnAllocation> ConnectTcpAsync(IPEndPoint server, TurnCredentials credentials, ITurnDataReceiver receiver,
        TurnAllocationOptions? options = null, TimeProvider? time = null, CancellationToken cancellation = default) =>
        ConnectAsync(server, null, credentials, receiver, options, time, cancellation);

    /// <summary>
    /// Opens a TLS connection to <paramref name="server"/> (a "turns:" server), the certificate checked against
    /// <paramref name="tls"/>'s name and roots; otherwise as <see cref="ConnectTcpAsync"/>.
    /// </summary>
    public static Task<TurnAllocation> ConnectTlsAsync(IPEndPoint server, TurnTlsOptions tls, TurnCredentials credentials, ITurnDataReceiver receiver,
        TurnAllocationOptions? options = null, TimeProvider? time = null, CancellationToken cancellation = default) =>
        ConnectAsync(server, tls ?? throw new ArgumentNullException(nameof(tls)), credentials, receiver, options, time, cancellation);

    /// <summary>
    /// Makes the allocation (§7.1) and starts keeping it alive. Throws <see cref="TurnException"/> with the server's
    /// reason (a wrong password, a quota, no capacity) or for want of an answer; once only.
    /// </summary>
    public async Task AllocateAsync(CancellationToken cancellation = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_state == TurnAllocationState.Closed, this);
            if (_state != TurnAllocationState.New)
            {
                throw new InvalidOperationException($"The TURN allocation is {_state}; AllocateAsync runs once.");
            }

            _state = TurnAllocationState.Allocating;
        }

        try
        {
            byte[] response = await TransactAsync(TurnRequest.Allocate(RequestedLifetime), cancellation, allowRedirect: true).ConfigureAwait(false);
            if (!TurnMessageReader.TryGetXorAddress(response, StunAttributeType.XorRelayedAddress, out IPEndPoint? relayed))
            {
                throw TurnErrors.Failed(_link.Server, StunMethod.Allocate, "the success response carries no XOR-RELAYED-ADDRESS");
            }

            TurnMessageReader.TryGetXorAddress(response, StunAttributeType.XorMappedAddress, out IPEndPoint? mapped);
            uint lifetime = TurnMessageReader.TryGetUInt32(response, StunAttributeType.Lifetime, out uint granted) ? granted : DefaultLifetimeSeconds;
            if (lifetime == 0)
            {
                throw TurnErrors.Failed(_link.Server, StunMethod.Allocate, "the server granted a LIFETIME of 0");
            }

            bool release;
            lock (_gate)
            {
                release = _state != TurnAllocationState.Allocating;
                if (!release)
                {
                    _relayed = TurnAddress.Normalise(relayed!);
                    _mapped = mapped;
                    _state = TurnAllocationState.Allocated;
                    ScheduleRefresh(lifetime);
                }
            }

            if (release)
            {
                // Disposed while allocating: the allocation the server just made is released at once.
                SendRelease();
                throw new ObjectDisposedException(nameof(TurnAllocation));
            }
        }
        catch (Exception e) when (e is TurnException or OperationCanceledException)
        {
            lock (_gate)
            {
                if (_state == TurnAllocationState.Allocating)
                {
                    _state = TurnAllocationState.Failed;
                    _failure = e as TurnException ?? new TurnException("the Allocate was cancelled", _link.Server, null, e);
                }
            }

            throw;
        }
    }

    /// <summary>Refreshes the allocation now (it is refreshed on its own before it expires).</summary>
    public async Task RefreshAsync(CancellationToken cancellation = default)
    {
        EnsureAllocated();
        byte[] response = await TransactAsync(TurnRequest.Refresh(RequestedLifetime), cancellation).ConfigureAwait(false);
        uint lifetime = TurnMessageReader.TryGetUInt32(response, StunAttributeType.Lifetime, out uint granted) ? granted : DefaultLifetimeSeconds;
        if (lifetime == 0)
        {
            // A refresh that was not a release answered with no lifetime left: the allocation is deleted (§8).
            TurnException gone = TurnErrors.Failed(_link.Server, StunMethod.Refresh, "the server granted a LIFETIME of 0 (the allocation is deleted)");
            Lose(gone);
            throw gone;
        }

        lock (_gate)
        {
            if (_state == TurnAllocationState.Allocated)
            {
                ScheduleRefresh(lifetime);
            }
        }
    }

    /// <summary>
    /// Releases the allocation at the server (Refresh with LIFETIME 0, §8), waiting up to
    /// <see cref="TurnAllocationOptions.ReleaseTimeout"/> for the answer, then stops its timers and closes a TCP/TLS
    /// connection.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        TurnAllocationState previous;
        lock (_gate)
        {
            previous = _state;
            if (previous == TurnAllocationState.Closed)
            {
                return;
            }

            _state = TurnAllocationState.Closed;
            StopTimers();
        }

        if (previous == TurnAllocationState.Allocated && _options.ReleaseTimeout > TimeSpan.Zero)
        {
            using var bound = new CancellationTokenSource(_options.ReleaseTimeout, _time);
            try
            {
                await TransactAsync(TurnRequest.Refresh(0), bound.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TurnException or OperationCanceledException)
            {
                // 437: already gone; no answer: it expires on its own.
            }
        }

        Shutdown();
    }

    /// <summary>As <see cref="DisposeAsync"/>, without waiting: the release is sent once and not confirmed.</summary>
    public void Dispose()
    {
        TurnAllocationState previous;
        lock (_gate)
        {
            previous = _state;
            if (previous == TurnAllocationState.Closed)
            {
                return;
            }

            _state = TurnAllocationState.Closed;
            StopTimers();
        }

        if (previous == TurnAllocationState.Allocated)
        {
            SendRelease();
        }

        Shutdown();
    }

    public override string ToString() =>
        $"TURN {_link.Transport} allocation at {_link.Server}: {_state}" + (_relayed is { } r ? $", relayed {r}" : "");

    private static async Task<TurnAllocation> ConnectAsync(IPEndPoint server, TurnTlsOptions? tls, TurnCredentials credentials, ITurnDataReceiver receiver,
        TurnAllocationOptions? options, TimeProvider? time, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(receiver);
        options ??= new TurnAllocationOptions();
        options.Validate();
        TurnStreamLink link = await TurnStreamLink.ConnectAsync(server, tls, options.ConnectTimeout, cancellation).ConfigureAwait(false);
        var allocation = new TurnAllocation(link, credentials, options, time, receiver);
        link.Start(allocation);
        return allocation;
    }

    private uint? RequestedLifetime => _options.RequestedLifetime is { } l ? (uint)l.TotalSeconds : null;

    private void EnsureAllocated()
    {
        TurnAllocationState state = _state;
        ObjectDisposedException.ThrowIf(state == TurnAllocationState.Closed, this);
        if (state != TurnAllocationState.Allocated)
        {
            throw new InvalidOperationException($"The TURN allocation is {state}." + (Failure is { } f ? " " + f.Message : ""));
        }
    }

    /// <summary>Arms the refresh for an allocation granted <paramref name="seconds"/> from now (under the lock).</summary>
    private void ScheduleRefresh(uint seconds)
    {
        _lifetime = TimeSpan.FromSeconds(Math.Min(seconds, MaxLifetimeSeconds));
        _expiresAt = _time.GetUtcNow() + _lifetime;
        TimeSpan margin = _options.RefreshMargin < _lifetime / 2 ? _options.RefreshMargin : _lifetime / 2;
        _refreshTimer ??= _time.CreateTimer(static s => ((TurnAllocation)s!).OnRefreshDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _refreshTimer.Change(_lifetime - margin, Timeout.InfiniteTimeSpan);
    }

    private void OnRefreshDue() => _ = RefreshInBackgroundAsync();

    private async Task RefreshInBackgroundAsync()
    {
        if (_state != TurnAllocationState.Allocated)
        {
            return;
        }

        Interlocked.Increment(ref _backgroundRequests);
        try
        {
            await RefreshAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (TurnException e) when (e.ErrorCode is null && _time.GetUtcNow() + _options.RetryInterval < ExpiresAt)
        {
            // Unanswered: tried again while the allocation lasts.
            lock (_gate)
            {
                if (_state == TurnAllocationState.Allocated)
                {
                    _refreshTimer?.Change(_options.RetryInterval, Timeout.InfiniteTimeSpan);
                }
            }
        }
        catch (TurnException e)
        {
            Lose(e);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // Closed or lost meanwhile.
        }
        finally
        {
            Interlocked.Decrement(ref _backgroundRequests);
        }
    }

    /// <summary>The allocation is gone: Failed, timers stopped, <see cref="Lost"/> raised once.</summary>
    private void Lose(TurnException reason)
    {
        lock (_gate)
        {
            if (_state != TurnAllocationState.Allocated)
            {
                return;
            }

            _state = TurnAllocationState.Failed;
            _failure = reason;
            StopTimers();
        }

        Lost?.Invoke(this, reason);
    }

    /// <summary>Stops every refresh (under the lock).</summary>
    private void StopTimers()
    {
        _refreshTimer?.Dispose();
        _refreshTimer = null;
        foreach (TurnPermission permission in _permissions)
        {
            permission.Timer?.Dispose();
            permission.Timer = null;
        }

        foreach (TurnChannel channel in _channels)
        {
            channel.Timer?.Dispose();
            channel.Timer = null;
        }
    }

    /// <summary>Sends Refresh with LIFETIME 0 once, signed with the current nonce, and does not wait for it.</summary>
    private void SendRelease()
    {
        var buffer = new byte[TurnRequest.MaxLength];
        int length = TurnRequest.Refresh(0).Write(buffer, StunTransactionId.New(), _authentication, _options.Software);
        if (length > 0)
        {
            Interlocked.Increment(ref _requestsSent);
            _link.Send(buffer.AsSpan(0, length));
        }
    }

    private void Shutdown()
    {
        _closing.Cancel();
        FailPending("the allocation was closed");
        _link.Dispose();
    }
}

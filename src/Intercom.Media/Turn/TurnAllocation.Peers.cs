using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

public sealed partial class TurnAllocation
{
    // Datagrams up to this size are framed on the stack; larger ones in a pooled buffer.
    private const int StackFrame = 2048;

    // Copy-on-write under _gate; read without it on the send and receive paths.
    private volatile TurnPermission[] _permissions = [];
    private volatile TurnChannel[] _channels = [];
    private ushort _nextChannel = TurnChannelData.MinChannel;
    private long _channelDataSent;
    private long _indicationsSent;
    private long _sendsDropped;
    private int _backgroundRequests;

    /// <summary>Permission, channel and refresh requests started and not yet settled (their renewal armed): tests wait for 0.</summary>
    internal int BackgroundRequests => Volatile.Read(ref _backgroundRequests);

    /// <summary>Datagrams sent to peers as ChannelData.</summary>
    public long ChannelDataSent => Interlocked.Read(ref _channelDataSent);

    /// <summary>Datagrams sent to peers as Send indications.</summary>
    public long IndicationsSent => Interlocked.Read(ref _indicationsSent);

    /// <summary>Datagrams <see cref="Send"/> could not send: no allocation (yet, or any more), or too large to frame.</summary>
    public long SendsDropped => Interlocked.Read(ref _sendsDropped);

    /// <summary>
    /// Sends <paramref name="datagram"/> to <paramref name="peer"/> through the relay: as ChannelData when the peer's
    /// channel is bound (no allocation on this path, the frame built on the stack), otherwise as a Send indication
    /// (§11.1), starting the peer's channel (or permission) on its first datagram as the options say. The server drops
    /// what it has no permission for yet. Dropped, and counted, before the allocation exists or after it is gone.
    /// </summary>
    [SkipLocalsInit]
    public void Send(IPEndPoint peer, ReadOnlySpan<byte> datagram)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (_state != TurnAllocationState.Allocated)
        {
            Interlocked.Increment(ref _sendsDropped);
            return;
        }

        TurnChannel? channel = FindChannel(_channels, peer);
        if (channel is not null && channel.Bound)
        {
            SendChannelData(channel.Number, datagram);
            return;
        }

        if (channel is null)
        {
            PrepareFor(peer);
        }

        SendIndication(peer, datagram);
    }

    /// <summary>
    /// Installs a permission for <paramref name="peer"/>'s IP address (§9.1; any port) and keeps it installed
    /// (<see cref="TurnAllocationOptions.PermissionRefreshInterval"/>). Throws <see cref="TurnException"/> when refused.
    /// </summary>
    public Task CreatePermissionAsync(IPAddress peer, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        EnsureAllocated();
        return StartPermission(TurnAddress.Normalise(peer)).WaitAsync(cancellation);
    }

    /// <summary>
    /// Binds a channel to <paramref name="peer"/> (§12.1; it installs the peer's permission too) and keeps it bound
    /// (<see cref="TurnAllocationOptions.ChannelRefreshInterval"/>); the channel number once the server confirmed it.
    /// A peer keeps its number for the allocation's life.
    /// </summary>
    public async Task<ushort> BindChannelAsync(IPEndPoint peer, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        EnsureAllocated();
        TurnChannel channel = StartChannel(TurnAddress.Normalise(peer), out Task pending);
        await pending.WaitAsync(cancellation).ConfigureAwait(false);
        return channel.Number;
    }

    /// <summary>Whether the server installed a permission for <paramref name="peer"/>'s address (and has not refused its renewal).</summary>
    public bool HasPermission(IPAddress peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        TurnPermission? permission = FindPermission(_permissions, peer);
        return permission is not null && permission.Installed;
    }

    /// <summary>The bound channel of <paramref name="peer"/>, or null while it has none.</summary>
    public ushort? ChannelOf(IPEndPoint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        TurnChannel? channel = FindChannel(_channels, peer);
        return channel is not null && channel.Bound ? channel.Number : null;
    }

    private static TurnChannel? FindChannel(TurnChannel[] channels, IPEndPoint peer)
    {
        foreach (TurnChannel channel in channels)
        {
            if (TurnAddress.Same(channel.Peer, peer))
            {
                return channel;
            }
        }

        return null;
    }

    private static TurnChannel? FindChannel(TurnChannel[] channels, ushort number)
    {
        foreach (TurnChannel channel in channels)
        {
            if (channel.Number == number)
            {
                return channel;
            }
        }

        return null;
    }

    private static TurnPermission? FindPermission(TurnPermission[] permissions, IPAddress address)
    {
        foreach (TurnPermission permission in permissions)
        {
            if (TurnAddress.SameAddress(permission.Address, address))
            {
                return permission;
            }
        }

        return null;
    }

    /// <summary>A first datagram to <paramref name="peer"/>: its channel, or its permission, is asked for in the background.</summary>
    private void PrepareFor(IPEndPoint peer)
    {
        if (_options.AutoBindChannels)
        {
            if (_nextChannel <= TurnChannelData.MaxChannel)
            {
                StartChannel(TurnAddress.Normalise(peer), out Task pending);
                Observe(pending);
            }

            return;
        }

        if (_options.AutoCreatePermissions && FindPermission(_permissions, peer.Address) is null)
        {
            Observe(StartPermission(TurnAddress.Normalise(peer.Address)));
        }
    }

    // A request started for a datagram is not awaited: its failure is kept on the peer's entry, not thrown.
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [SkipLocalsInit]
    private void SendChannelData(ushort number, ReadOnlySpan<byte> datagram)
    {
        bool stream = _link.Transport != TurnTransport.Udp;
        int total = (TurnChannelData.HeaderSize + datagram.Length + 3) & ~3;
        byte[]? rented = null;
        Span<byte> frame = total <= StackFrame ? stackalloc byte[StackFrame] : (rented = ArrayPool<byte>.Shared.Rent(total));
        int length = TurnChannelData.Write(frame, number, datagram, pad: stream);
        if (length > 0 && _link.Send(frame[..length]))
        {
            Interlocked.Increment(ref _channelDataSent);
        }
        else
        {
            Interlocked.Increment(ref _sendsDropped);
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    [SkipLocalsInit]
    private void SendIndication(IPEndPoint peer, ReadOnlySpan<byte> datagram)
    {
        // Header, XOR-PEER-ADDRESS (IPv6 at most) and DATA with its padding (§11.1: no integrity on indications).
        int total = StunMessage.HeaderSize + 4 + 20 + 4 + ((datagram.Length + 3) & ~3);
        byte[]? rented = null;
        Span<byte> buffer = total <= StackFrame ? stackalloc byte[StackFrame] : (rented = ArrayPool<byte>.Shared.Rent(total));
        var writer = new StunMessageWriter(buffer, StunMethod.Send, StunMessageClass.Indication, StunTransactionId.New());
        writer.AddXorPeerAddress(peer);
        writer.AddData(datagram);
        int length = writer.Complete();
        if (length > 0 && _link.Send(buffer[..length]))
        {
            Interlocked.Increment(ref _indicationsSent);
        }
        else
        {
            Interlocked.Increment(ref _sendsDropped);
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The permission's request in flight, started if none is (outside the lock: a fake server may answer inline).</summary>
    private Task StartPermission(IPAddress address)
    {
        TaskCompletionSource? owner = null;
        TurnPermission permission;
        Task pending;
        lock (_gate)
        {
            permission = FindPermission(_permissions, address) ?? AddPermission(address);
            if (permission.Pending is null)
            {
                owner = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                permission.Pending = owner.Task;
            }

            pending = permission.Pending;
        }

        if (owner is not null)
        {
            Interlocked.Increment(ref _backgroundRequests);
            _ = RunPermissionAsync(permission, owner);
        }

        return pending;
    }

    private async Task RunPermissionAsync(TurnPermission permission, TaskCompletionSource owner)
    {
        try
        {
            await TransactAsync(TurnRequest.CreatePermission(permission.Address), _closing.Token).ConfigureAwait(false);
            permission.Installed = true;
            ArmPermission(permission, _options.PermissionRefreshInterval);
            Done(null);
        }
        catch (Exception e) when (e is TurnException or OperationCanceledException)
        {
            OnPeerRequestFailed(e, () => ArmPermission(permission, _options.RetryInterval), () => permission.Installed = false);
            Done(e);
        }

        void Done(Exception? e)
        {
            lock (_gate)
            {
                permission.Pending = null;
            }

            Interlocked.Decrement(ref _backgroundRequests);

            if (e is null)
            {
                owner.TrySetResult();
            }
            else
            {
                owner.TrySetException(e);
            }
        }
    }

    private TurnChannel StartChannel(IPEndPoint peer, out Task pending)
    {
        TaskCompletionSource? owner = null;
        TurnChannel channel;
        lock (_gate)
        {
            TurnChannel? found = FindChannel(_channels, peer);
            if (found is null)
            {
                if (_nextChannel > TurnChannelData.MaxChannel)
                {
                    throw new TurnException($"no TURN channel number left on {_link.Server} (4096 peers)", _link.Server, null);
                }

                found = new TurnChannel(_nextChannel++, peer);
                _channels = [.. _channels, found];
            }

            channel = found;

            if (channel.Pending is null && !channel.Bound)
            {
                owner = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                channel.Pending = owner.Task;
            }

            pending = channel.Pending ?? Task.CompletedTask;
        }

        if (owner is not null)
        {
            Interlocked.Increment(ref _backgroundRequests);
            _ = RunChannelBindAsync(channel, owner);
        }

        return channel;
    }

    private async Task RunChannelBindAsync(TurnChannel channel, TaskCompletionSource owner)
    {
        try
        {
            await TransactAsync(TurnRequest.ChannelBind(channel.Number, channel.Peer), _closing.Token).ConfigureAwait(false);
            channel.Bound = true;
            ArmChannel(channel, _options.ChannelRefreshInterval);

            // §12.1: the binding installed (or refreshed) the peer's permission, which lasts 300 s and is renewed on its own.
            TurnPermission permission;
            lock (_gate)
            {
                permission = FindPermission(_permissions, channel.Peer.Address) ?? AddPermission(channel.Peer.Address);
            }

            permission.Installed = true;
            ArmPermission(permission, _options.PermissionRefreshInterval);
            Done(null);
        }
        catch (Exception e) when (e is TurnException or OperationCanceledException)
        {
            OnPeerRequestFailed(e, () => ArmChannel(channel, _options.RetryInterval), () => channel.Bound = false);
            Done(e);
        }

        void Done(Exception? e)
        {
            lock (_gate)
            {
                channel.Pending = null;
            }

            Interlocked.Decrement(ref _backgroundRequests);

            if (e is null)
            {
                owner.TrySetResult();
            }
            else
            {
                owner.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// A permission or channel request failed: unanswered, it is tried again soon; a 437 means the allocation is gone;
    /// any other refusal stands (the entry stays, unconfirmed, and Send keeps to indications).
    /// </summary>
    private void OnPeerRequestFailed(Exception e, Action retry, Action refuse)
    {
        if (e is not TurnException failure)
        {
            return;
        }

        if (failure.ErrorCode is null)
        {
            retry();
        }
        else if (failure.ErrorCode == 437)
        {
            Lose(failure);
        }
        else
        {
            refuse();
        }
    }

    private void ArmPermission(TurnPermission permission, TimeSpan due)
    {
        lock (_gate)
        {
            if (_state != TurnAllocationState.Allocated)
            {
                return;
            }

            permission.Timer ??= _time.CreateTimer(s => RenewPermission((TurnPermission)s!), permission, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            permission.Timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void ArmChannel(TurnChannel channel, TimeSpan due)
    {
        lock (_gate)
        {
            if (_state != TurnAllocationState.Allocated)
            {
                return;
            }

            channel.Timer ??= _time.CreateTimer(s => Renew((TurnChannel)s!), channel, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            channel.Timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>ChannelBind again with the same number and peer (§12.1: a refresh), while the channel stays usable.</summary>
    private void Renew(TurnChannel channel)
    {
        TaskCompletionSource? owner = null;
        lock (_gate)
        {
            if (_state == TurnAllocationState.Allocated && channel.Pending is null)
            {
                owner = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                channel.Pending = owner.Task;
            }
        }

        if (owner is not null)
        {
            Observe(owner.Task);
            Interlocked.Increment(ref _backgroundRequests);
            _ = RunChannelBindAsync(channel, owner);
        }
    }

    /// <summary>A new permission entry (under the lock).</summary>
    private TurnPermission AddPermission(IPAddress address)
    {
        var permission = new TurnPermission(address);
        _permissions = [.. _permissions, permission];
        return permission;
    }

    private void RenewPermission(TurnPermission permission)
    {
        if (_state == TurnAllocationState.Allocated)
        {
            Observe(StartPermission(permission.Address));
        }
    }
}

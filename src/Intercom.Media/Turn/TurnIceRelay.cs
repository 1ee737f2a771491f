using System.Net;
using Intercom.Media.Ice;
using Intercom.Media.Rtp;

namespace Intercom.Media.Turn;

/// <summary>
/// A call's TURN allocation as its ICE agent's relayed candidate (RFC 8445 §5.1.1.2 over RFC 8656): the agent sends its
/// checks and <see cref="RtpSession"/> its media through <see cref="Send"/> (ChannelData once the peer's channel is bound,
/// §12); what the server relays back — unwrapped by <see cref="TurnAllocation.Receive(ReadOnlySpan{byte}, System.Net.Sockets.SocketAddress, out IPEndPoint?, out ReadOnlySpan{byte})"/>
/// on the RTP socket's receive thread (UDP), or handed to <see cref="ITurnDataReceiver.OnTurnData"/> by the connection
/// (TCP/TLS) — goes to the agent when it is STUN (a check or an answer on the relayed candidate) and to the session's
/// receive path otherwise, with the peer as its source. The relay neither owns the socket nor decides what is media.
/// </summary>
public sealed class TurnIceRelay : IIceRelay, ITurnDataReceiver, IDisposable
{
    private TurnAllocation? _allocation;
    private long _stunFromPeers;

    // The peer's candidates (PermitCandidates), copied on write for the media thread.
    private volatile IPEndPoint[] _signalled = [];

    /// <summary>A relay whose allocation is attached later (<see cref="Attach"/>): a TCP/TLS allocation needs its receiver first.</summary>
    public TurnIceRelay()
    {
    }

    public TurnIceRelay(TurnAllocation allocation) => Attach(allocation);

    /// <summary>The allocation; set once.</summary>
    public TurnAllocation Allocation => _allocation ?? throw new InvalidOperationException("no TURN allocation attached");

    /// <summary>The allocation, or null before <see cref="Attach"/>.</summary>
    internal TurnAllocation? AllocationOrNull => Volatile.Read(ref _allocation);

    /// <summary>Takes the peers' STUN: the call's agent, once it has the relayed candidate.</summary>
    public IceAgent? Agent { get; set; }

    /// <summary>The RTP session the peers' media goes to (<see cref="RtpSession.UseTurnRelay"/> sets it).</summary>
    internal RtpSession? Session { get; set; }

    public IPEndPoint RelayedAddress => Allocation.RelayedAddress;

    public IPEndPoint ServerAddress => Allocation.ServerAddress;

    /// <summary>Peers' STUN datagrams (checks, answers) the relay handed to the agent.</summary>
    public long StunFromPeers => Interlocked.Read(ref _stunFromPeers);

    public void Attach(TurnAllocation allocation)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        if (Interlocked.CompareExchange(ref _allocation, allocation, null) is not null)
        {
            throw new InvalidOperationException("the relay already has its allocation");
        }
    }

    /// <summary>Sends a check or a media packet to <paramref name="peer"/> from the relayed address (allocation-free once its channel is bound).</summary>
    public void Send(IPEndPoint peer, ReadOnlySpan<byte> datagram) => Allocation.Send(peer, datagram);

    /// <summary>
    /// Installs what the server needs to relay the peer's candidates to us (RFC 8656 §9: without a permission for its IP
    /// address the server drops what a peer sends): a channel for each of them (§12.1: the binding installs the permission
    /// too, and media to that candidate then goes as ChannelData). Called when the peer's candidates arrive, before the
    /// first check: the requests leave the socket before the checks do, so the first check is not dropped. Candidates
    /// the relay cannot reach (another address family, not UDP, unresolved) are skipped; at most
    /// <paramref name="max"/> are bound. A refusal (403 for a denied peer) only leaves that candidate unrelayed.
    /// </summary>
    public int PermitCandidates(IReadOnlyList<IceCandidate> candidates, int max = 16)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        TurnAllocation allocation = Allocation;
        if (allocation.State != TurnAllocationState.Allocated)
        {
            return 0;
        }

        var relayed = allocation.RelayedAddress;
        int bound = 0;
        foreach (IceCandidate candidate in candidates)
        {
            if (bound >= max)
            {
                break;
            }

            if (candidate.Address is not { } address || !candidate.IsUdp || candidate.Port is < 1 or > IPEndPoint.MaxPort
                || TurnAddress.Normalise(address).AddressFamily != relayed.AddressFamily)
            {
                continue;
            }

            var peer = new IPEndPoint(TurnAddress.Normalise(address), candidate.Port);
            if (allocation.ChannelOf(peer) is not null || IsSignalledPeer(peer))
            {
                continue;
            }

            _signalled = [.. _signalled, peer];

            // Not awaited: a refusal, or no answer, leaves the candidate to Send indications (and the server's drop).
            Observe(allocation.BindChannelAsync(peer));
            bound++;
        }

        return bound;
    }

    /// <summary>
    /// Whether <paramref name="peer"/> is one of the candidates the peer's SDP signalled (those <see cref="PermitCandidates"/>
    /// was given): media through the relay is admitted from the signalled peer, as without ICE. Any thread; allocation-free.
    /// </summary>
    public bool IsSignalledPeer(IPEndPoint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        foreach (IPEndPoint signalled in _signalled)
        {
            if (signalled.Equals(peer))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A datagram the server relayed from <paramref name="peer"/> (a slice of the receive buffer): STUN to the agent
    /// (RFC 7983: first byte 0-3), anything else is the caller's media. True when it was STUN.
    /// </summary>
    internal bool TryDeliverStun(ReadOnlySpan<byte> payload, IPEndPoint peer)
    {
        if (payload.IsEmpty || payload[0] > 3)
        {
            return false;
        }

        Interlocked.Increment(ref _stunFromPeers);
        Agent?.OnRelayedPacket(this, payload, peer);
        return true;
    }

    /// <summary>TCP/TLS: a peer's datagram from the connection's read thread.</summary>
    void ITurnDataReceiver.OnTurnData(IPEndPoint peer, ReadOnlySpan<byte> payload)
    {
        if (!TryDeliverStun(payload, peer))
        {
            Session?.ReceiveRelayed(this, peer, payload);
        }
    }

    /// <summary>Releases the allocation (Refresh with LIFETIME 0, RFC 8656 §8), sent once through the socket that is still open.</summary>
    public void Dispose() => _allocation?.Dispose();

    public override string ToString() => _allocation?.ToString() ?? "TURN relay (no allocation)";

    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}

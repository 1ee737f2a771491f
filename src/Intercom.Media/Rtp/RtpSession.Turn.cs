using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Intercom.Media.Turn;

namespace Intercom.Media.Rtp;

/// <summary>
/// A TURN relay on the RTP socket (RFC 8656 §2: the socket media leaves from is the TURN client's transport address, so
/// the relayed candidate and the host one share it). Datagrams from the TURN server's address are the allocation's: its
/// responses, and the peers' data as ChannelData (RFC 7983: first byte 64-79, §12.4) or Data indications (§11.4), which
/// <see cref="TurnAllocation.Receive(ReadOnlySpan{byte}, SocketAddress, out IPEndPoint?, out ReadOnlySpan{byte})"/>
/// unwraps. A peer's STUN (ICE checks on the relayed candidate) goes to the agent; its RTP and RTCP go down the normal
/// receive path (source check, SRTP, jitter buffer, RFC 4733) with the peer as their source, accepted only while the
/// selected pair is that relay's to that peer. Sending through the relay is <see cref="UseIcePair"/>'s: the pair names it.
/// Nothing on this path allocates once the peer's channel is bound: the server's socket address is serialised once.
/// </summary>
public sealed partial class RtpSession
{
    private readonly byte[] _relayBuffer = new byte[BufferSize];
    private volatile TurnRoute? _turn;
    private long _relayedPacketsReceived;

    /// <summary>RTP, RTCP and DTLS that arrived through the TURN relay from the peer and went on to the receive path.</summary>
    public long RelayedPacketsReceived => Interlocked.Read(ref _relayedPacketsReceived);

    /// <summary>The TURN relay sharing this socket, or null.</summary>
    public TurnIceRelay? TurnRelay => _turn?.Relay;

    /// <summary>
    /// Routes what the TURN server sends to this socket to <paramref name="relay"/>'s allocation (call it before the
    /// Allocate: its responses arrive here too, <see cref="StartReceiving"/> reads them). Null detaches it.
    /// </summary>
    public void UseTurnRelay(TurnIceRelay? relay)
    {
        if (relay is null)
        {
            _turn = null;
            return;
        }

        relay.Session = this;
        _turn = new TurnRoute(relay, null, null);
    }

    /// <summary>
    /// A peer's datagram a TCP/TLS allocation read from its connection (the relay's <see cref="ITurnDataReceiver"/>):
    /// copied into a buffer of the relay's own (one connection, one reader thread) and received as over UDP.
    /// </summary>
    internal void ReceiveRelayed(TurnIceRelay relay, IPEndPoint peer, ReadOnlySpan<byte> payload)
    {
        if (_stopping || payload.Length > _relayBuffer.Length)
        {
            return;
        }

        payload.CopyTo(_relayBuffer);
        HandleRelayedMedia(relay, _relayBuffer, payload.Length, peer);
    }

    /// <summary>The route with the TURN server's socket address, serialised once per server (an Allocate's 300 may change it before it succeeds).</summary>
    private TurnRoute? CurrentTurnRoute()
    {
        // Over TCP/TLS the allocation has a connection of its own: nothing on this socket is its.
        if (_turn is not { } route || route.Relay.AllocationOrNull is not { Transport: TurnTransport.Udp } allocation)
        {
            return null;
        }

        IPEndPoint server = allocation.ServerAddress;
        if (ReferenceEquals(server, route.Server))
        {
            return route;
        }

        var updated = new TurnRoute(route.Relay, server, Serialize(server));
        _turn = updated;
        return updated;
    }

    /// <summary>Where <see cref="SendStun"/> sends: the cached address when it is the TURN server (its requests and data), else serialised.</summary>
    private SocketAddress StunDestination(IPEndPoint destination) =>
        CurrentTurnRoute() is { } route && ReferenceEquals(destination, route.Server) ? route.ServerAddress! : Serialize(destination);

    /// <summary>
    /// A datagram on the RTP socket from the TURN server: true when it was the allocation's. A Binding message (the TURN
    /// server is often the STUN server too, and ICE gathers from it) is left to the STUN path. Internal for the benchmarks,
    /// which drive it without the socket.
    /// </summary>
    internal bool HandleFromTurnServer(byte[] buffer, int length, SocketAddress from)
    {
        if (CurrentTurnRoute() is not { } route || !from.Equals(route.ServerAddress))
        {
            return false;
        }

        // RFC 8489 §5: the method is the type's bits outside the class bits (0x0110); Binding is 0x001.
        if (length >= 2 && buffer[0] < 4 && (BinaryPrimitives.ReadUInt16BigEndian(buffer) & 0x3EEF) == 0x0001)
        {
            return false;
        }

        TurnIceRelay relay = route.Relay;
        TurnReceiveResult result = relay.Allocation.Receive(buffer.AsSpan(0, length), from, out IPEndPoint? peer, out ReadOnlySpan<byte> payload);
        if (result != TurnReceiveResult.PeerData || relay.TryDeliverStun(payload, peer!))
        {
            return true;
        }

        // The payload is a slice of the buffer a few bytes in: moved to its start (memmove), where SRTP works in place.
        int size = payload.Length;
        payload.CopyTo(buffer);
        HandleRelayedMedia(relay, buffer, size, peer!);
        return true;
    }

    /// <summary>
    /// RTP, RTCP or DTLS relayed from <paramref name="peer"/>, once ICE selected a pair: taken when the selected pair is
    /// <paramref name="relay"/>'s to exactly that peer, when a check between the relay and that peer succeeded (a valid
    /// pair: RFC 8445 §12.1 lets the peer send on any), or when the peer is one of the candidates its SDP signalled (the
    /// rule without ICE: media by the signalled peer). re, baresip's stack, sends its RTP through its own TURN channel
    /// whenever it has one to our relayed address, whatever pair was nominated, so it arrives from the phone's relayed
    /// candidate. Anyone else's is dropped before a parser sees it.
    /// </summary>
    private void HandleRelayedMedia(TurnIceRelay relay, byte[] buffer, int length, IPEndPoint peer)
    {
        if (!_iceOn || _icePath is not { } ice
            || !(ReferenceEquals(ice.Relay, relay) && peer.Equals(ice.RemoteEndPoint) || relay.IsSignalledPeer(peer)
                || relay.Agent?.IsValidRemote(relay, peer) == true))
        {
            Interlocked.Increment(ref _wrongSourcePackets);
            return;
        }

        Interlocked.Increment(ref _relayedPacketsReceived);
        if (length > 0 && buffer[0] is >= 20 and <= 63)
        {
            // DTLS (RFC 7983) from the same peer: with a relayed pair the handshake runs through the relay both ways
            // (RFC 8842 §4); ours already leaves through it (SendDtls).
            ReceiveDtls(buffer, length);
        }
        else if (RtpPacket.LooksLikeRtcp(buffer.AsSpan(0, length)))
        {
            AcceptRtcp(buffer, length, ice.Remote);
        }
        else
        {
            AcceptRtp(buffer, length, ice.Remote);
        }
    }

    /// <summary>The relay, and the server address it was last serialised for.</summary>
    private sealed record TurnRoute(TurnIceRelay Relay, IPEndPoint? Server, SocketAddress? ServerAddress);
}

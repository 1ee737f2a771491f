using System.Net;
using System.Net.Sockets;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

public sealed partial class TurnAllocation
{
    private long _datagramsDropped;

    /// <summary>Datagrams from the server that carried nothing to act on (malformed, unknown channel, no permission, stale).</summary>
    public long DatagramsDropped => Interlocked.Read(ref _datagramsDropped);

    /// <summary>Whether <paramref name="source"/> is the TURN server (an IPv4 address and its mapped IPv6 form alike).</summary>
    public bool IsServer(IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return TurnAddress.Same(source, _link.Server);
    }

    /// <summary>As <see cref="IsServer(IPEndPoint)"/>, for the socket address a receive loop reads into (allocation-free).</summary>
    public bool IsServer(SocketAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        IPEndPoint server = _link.Server;
        Span<byte> mapped = stackalloc byte[16];
        TurnAddress.WriteMapped(server.Address, mapped);
        return TurnAddress.Matches(source, mapped, server.Port);
    }

    /// <summary>
    /// A datagram that arrived on the client's UDP socket from <paramref name="source"/>: ChannelData (RFC 7983: first
    /// byte 64–79) or a Data indication from the server is unwrapped into the <paramref name="peer"/> that sent it and its
    /// <paramref name="payload"/> (a slice of <paramref name="datagram"/>; for ChannelData no allocation); a response to
    /// one of the allocation's requests is consumed. Anything not from the server is left alone. Never throws on what
    /// arrived; call from the socket's receive thread.
    /// </summary>
    public TurnReceiveResult Receive(ReadOnlySpan<byte> datagram, IPEndPoint source, out IPEndPoint? peer, out ReadOnlySpan<byte> payload)
    {
        peer = null;
        payload = default;
        return IsServer(source) ? ReceiveFromServer(datagram, out peer, out payload) : TurnReceiveResult.NotFromServer;
    }

    /// <summary>As above, with the socket address the receive loop read (allocation-free source check).</summary>
    public TurnReceiveResult Receive(ReadOnlySpan<byte> datagram, SocketAddress source, out IPEndPoint? peer, out ReadOnlySpan<byte> payload)
    {
        peer = null;
        payload = default;
        return IsServer(source) ? ReceiveFromServer(datagram, out peer, out payload) : TurnReceiveResult.NotFromServer;
    }

    void ITurnLinkReceiver.OnFrame(ReadOnlySpan<byte> frame)
    {
        if (ReceiveFromServer(frame, out IPEndPoint? peer, out ReadOnlySpan<byte> payload) == TurnReceiveResult.PeerData)
        {
            _dataReceiver?.OnTurnData(peer!, payload);
        }
    }

    void ITurnLinkReceiver.OnLinkClosed(string reason)
    {
        string message = $"TURN server {_link.Server} over {_link.Transport}: {reason}";
        FailPending(reason);
        Lose(new TurnException(message + "; the allocation ended with the connection (RFC 8656 §3.1)", _link.Server, null));
    }

    private TurnReceiveResult ReceiveFromServer(ReadOnlySpan<byte> datagram, out IPEndPoint? peer, out ReadOnlySpan<byte> payload)
    {
        peer = null;
        payload = default;
        TurnReceiveResult result = PacketDemultiplexer.Classify(datagram) switch
        {
            MultiplexedPacketKind.TurnChannel => ReceiveChannelData(datagram, out peer, out payload),
            MultiplexedPacketKind.Stun => ReceiveStun(datagram, out peer, out payload),
            _ => TurnReceiveResult.Dropped,
        };
        if (result == TurnReceiveResult.Dropped)
        {
            Interlocked.Increment(ref _datagramsDropped);
        }

        return result;
    }

    private TurnReceiveResult ReceiveChannelData(ReadOnlySpan<byte> datagram, out IPEndPoint? peer, out ReadOnlySpan<byte> payload)
    {
        peer = null;
        payload = default;
        if (!TurnChannelData.TryParse(datagram, out TurnChannelData message) || FindChannel(_channels, message.Channel) is not { } channel)
        {
            return TurnReceiveResult.Dropped;
        }

        peer = channel.Peer;
        payload = message.Data;
        return TurnReceiveResult.PeerData;
    }

    private TurnReceiveResult ReceiveStun(ReadOnlySpan<byte> datagram, out IPEndPoint? peer, out ReadOnlySpan<byte> payload)
    {
        peer = null;
        payload = default;
        if (!StunMessage.TryParse(datagram, out StunMessage message, out _) || (message.HasFingerprint && !message.VerifyFingerprint()))
        {
            return TurnReceiveResult.Dropped;
        }

        switch (message.Class)
        {
            case StunMessageClass.Indication when message.Method == StunMethod.Data:
                // §11.4: XOR-PEER-ADDRESS and DATA, from a peer the client has a permission for.
                if (!TurnMessageReader.TryGetXorAddress(datagram, StunAttributeType.XorPeerAddress, out IPEndPoint? from)
                    || !TurnMessageReader.TryGet(datagram, StunAttributeType.Data, out ReadOnlySpan<byte> data)
                    || !HasPermission(from!.Address))
                {
                    return TurnReceiveResult.Dropped;
                }

                peer = from;
                payload = data;
                return TurnReceiveResult.PeerData;
            case StunMessageClass.SuccessResponse or StunMessageClass.ErrorResponse:
                return ReceiveResponse(datagram, message.TransactionId, message.Method, message.Class);
            default:
                return TurnReceiveResult.Dropped;
        }
    }
}

using System.Net;

namespace Intercom.Media.Nat;

/// <summary>Takes the STUN datagrams (RFC 7983: first byte 0–3) that arrive on a socket shared with media.</summary>
public interface IStunPacketReceiver
{
    /// <summary>A datagram from <paramref name="source"/>; true when it answered one of the receiver's transactions.</summary>
    bool OnStunPacket(ReadOnlySpan<byte> datagram, IPEndPoint source);
}

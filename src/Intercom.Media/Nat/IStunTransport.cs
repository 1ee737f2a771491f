using System.Net;

namespace Intercom.Media.Nat;

/// <summary>Where a STUN client's requests go out: the socket whose mapping is wanted (a call's RTP socket).</summary>
public interface IStunTransport
{
    /// <summary>Sends <paramref name="datagram"/> to <paramref name="destination"/>; false when the socket refused it.</summary>
    bool SendStun(ReadOnlySpan<byte> datagram, IPEndPoint destination);
}

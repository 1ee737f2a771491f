using System.Net;

namespace Intercom.Media.Ice;

/// <summary>
/// A relayed transport address (RFC 8445 §5.1.1.2: an allocation on a TURN server, RFC 8656) as the ICE agent sees it:
/// the address it was given, the server it lives on, and a way to send through it. Datagrams the relay receives from a
/// peer are handed to <see cref="IceAgent.OnRelayedPacket"/> with the peer's address as their source. The TURN client
/// implements this; the agent knows nothing of allocations, permissions or channels.
/// </summary>
public interface IIceRelay
{
    /// <summary>The relayed transport address (XOR-RELAYED-ADDRESS): the base of the relayed candidate (§5.1.1.2).</summary>
    IPEndPoint RelayedAddress { get; }

    /// <summary>The TURN server holding the allocation (it goes into the candidate's foundation, §5.1.1.3).</summary>
    IPEndPoint ServerAddress { get; }

    /// <summary>Sends <paramref name="datagram"/> to <paramref name="peer"/> from <see cref="RelayedAddress"/>.</summary>
    void Send(IPEndPoint peer, ReadOnlySpan<byte> datagram);
}

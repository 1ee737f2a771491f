using System.Net;

namespace Intercom.Media.Turn;

/// <summary>
/// Takes the peers' datagrams an allocation over TCP or TLS reads from its connection (over UDP the caller's receive loop
/// gets them from <see cref="TurnAllocation.Receive(ReadOnlySpan{byte}, IPEndPoint, out IPEndPoint?, out ReadOnlySpan{byte})"/> instead).
/// Called on the connection's read thread; <paramref name="payload"/> is valid only during the call.
/// </summary>
public interface ITurnDataReceiver
{
    /// <summary>A datagram <paramref name="peer"/> sent to the relayed address.</summary>
    void OnTurnData(IPEndPoint peer, ReadOnlySpan<byte> payload);
}

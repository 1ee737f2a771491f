namespace Intercom.Media.Turn;

/// <summary>What <see cref="TurnAllocation.Receive(ReadOnlySpan{byte}, System.Net.IPEndPoint, out System.Net.IPEndPoint?, out ReadOnlySpan{byte})"/> made of a datagram from the TURN server's address.</summary>
public enum TurnReceiveResult
{
    /// <summary>Not the TURN server's address: the datagram is not the allocation's (the caller handles it as before).</summary>
    NotFromServer,

    /// <summary>A peer's datagram, unwrapped from ChannelData or a Data indication: the out peer and payload are set.</summary>
    PeerData,

    /// <summary>A response to one of the allocation's requests: consumed.</summary>
    Response,

    /// <summary>From the server but nothing to act on (malformed, an unknown channel, a peer without permission, a stale response): dropped and counted.</summary>
    Dropped,
}

using Intercom.Media.Turn;

namespace Intercom.Phone;

/// <summary>
/// One TURN server of an account (accounts[].nat.turn.servers, an RFC 7065 URI): where it is and how the station reaches
/// it. The relayed leg is UDP whatever <paramref name="Transport"/> says (RFC 8656 §3.1).
/// </summary>
/// <param name="Host">A name or an address literal (resolved per call, as the STUN servers are).</param>
/// <param name="Port">3478 for turn:, 5349 for turns: by default.</param>
/// <param name="Transport">UDP from the call's RTP socket; TCP or TLS on a connection of the allocation's own.</param>
public sealed record AccountTurnServer(string Host, int Port, TurnTransport Transport);

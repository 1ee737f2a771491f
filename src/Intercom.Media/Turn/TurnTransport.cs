namespace Intercom.Media.Turn;

/// <summary>
/// How the client reaches its TURN server (RFC 8656 §3.1). The relayed leg to peers is UDP in every case: TCP and TLS
/// only carry the client–server messages, for networks that block UDP (RFC 6062 TCP relaying is not used).
/// </summary>
public enum TurnTransport
{
    /// <summary>UDP: the datagrams leave from a caller's socket (a call's RTP socket, RFC 8656 §2); requests are retransmitted.</summary>
    Udp,

    /// <summary>TCP: one connection the allocation owns; STUN and ChannelData framed on the stream (§12.5).</summary>
    Tcp,

    /// <summary>TLS over TCP (the "turns:" scheme, RFC 7065): as TCP, inside a TLS session that validates the server's name.</summary>
    Tls,
}

namespace Intercom.Media.Nat;

/// <summary>What a datagram on a media socket is, by its first byte (RFC 7983 §7, the ranges of RFC 5764 §5.1.2 updated).</summary>
public enum MultiplexedPacketKind
{
    /// <summary>Empty, or a first byte no protocol on the socket uses: dropped.</summary>
    Unknown,

    /// <summary>0–3: STUN.</summary>
    Stun,

    /// <summary>16–19: ZRTP.</summary>
    Zrtp,

    /// <summary>20–63: DTLS.</summary>
    Dtls,

    /// <summary>64–79: TURN ChannelData.</summary>
    TurnChannel,

    /// <summary>128–191: RTP or RTCP.</summary>
    RtpOrRtcp,
}

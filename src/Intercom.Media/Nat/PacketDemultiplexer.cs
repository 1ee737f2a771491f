namespace Intercom.Media.Nat;

/// <summary>
/// Tells the protocols sharing one media socket apart (RFC 7983 §7): STUN (ICE checks, Binding responses), ZRTP, DTLS,
/// TURN channels and RTP/RTCP each start with a first byte in their own range.
/// </summary>
public static class PacketDemultiplexer
{
    /// <summary>The kind of <paramref name="datagram"/> by its first byte.</summary>
    public static MultiplexedPacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return MultiplexedPacketKind.Unknown;
        }

        return datagram[0] switch
        {
            <= 3 => MultiplexedPacketKind.Stun,
            >= 16 and <= 19 => MultiplexedPacketKind.Zrtp,
            >= 20 and <= 63 => MultiplexedPacketKind.Dtls,
            >= 64 and <= 79 => MultiplexedPacketKind.TurnChannel,
            >= 128 and <= 191 => MultiplexedPacketKind.RtpOrRtcp,
            _ => MultiplexedPacketKind.Unknown,
        };
    }
}

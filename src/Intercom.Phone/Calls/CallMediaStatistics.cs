using System.Globalization;
using Intercom.Media.Rtp;

namespace Intercom.Phone;

/// <summary>
/// What one call's media did, read from its RTP session as the call ends, for the journal: the first thing an installer
/// asking "why could the resident not hear the visitor?" needs is whether the phone's RTP arrived at all, and if it did,
/// why it was dropped (from an address that is not the peer's, failing SRTP, malformed, a payload type not agreed).
/// Counts only: no address, no key.
/// </summary>
public readonly record struct CallMediaStatistics(
    long Sent,
    long Received,
    long Relayed,
    long FromElsewhere,
    long SrtpFailures,
    long Malformed,
    long UnagreedPayloadType,
    long Rtcp)
{
    /// <summary>The session's counters now (each read on its own: a packet arriving meanwhile may be in one and not another).</summary>
    public static CallMediaStatistics Of(RtpSession rtp)
    {
        ArgumentNullException.ThrowIfNull(rtp);
        return new CallMediaStatistics(rtp.PacketsSent, rtp.PacketsReceived, rtp.RelayedPacketsReceived, rtp.WrongSourcePackets, rtp.SrtpFailures,
            rtp.MalformedPackets, rtp.UnexpectedPayloadTypePackets, rtp.RtcpPacketsReceived);
    }

    /// <summary>True when we sent media and none of the peer's was taken: one-way audio, worth a warning.</summary>
    public bool HeardNothing => Sent > 0 && Received == 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Sent} RTP sent, {Received} RTP received, {Rtcp} RTCP received, {Relayed} packets through the TURN relay; dropped: {FromElsewhere} from elsewhere, "
        + $"{SrtpFailures} failing SRTP, {Malformed} malformed, {UnagreedPayloadType} of a payload type not agreed");
}

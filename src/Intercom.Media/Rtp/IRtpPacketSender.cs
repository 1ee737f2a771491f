namespace Intercom.Media.Rtp;

/// <summary>
/// Where a media stream hands its packets: the RTP session adds the header (our SSRC, the next sequence number), protects
/// the packet when SRTP is keyed and sends it. Called from one media thread; allocation-free.
/// </summary>
public interface IRtpPacketSender
{
    /// <summary>Sends one packet; false when there is no peer address yet or the send failed (media goes on).</summary>
    bool Send(byte payloadType, uint timestamp, bool marker, ReadOnlySpan<byte> payload);
}

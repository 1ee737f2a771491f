namespace Intercom.Media.Rtp;

/// <summary>
/// Where an <see cref="RtpSession"/> delivers accepted packets, on its receive thread. Implementations must not block and
/// must copy what they keep: the packet views the session's receive buffer.
/// </summary>
public interface IRtpPacketReceiver
{
    /// <summary>A valid packet from the latched peer. <paramref name="arrivalTimestamp"/> is <see cref="TimeProvider.GetTimestamp"/>.</summary>
    void OnRtpPacket(RtpPacket packet, long arrivalTimestamp);

    /// <summary>The peer's SSRC changed (a new source, RFC 3550 §8.2): drop buffered audio and decoder state.</summary>
    void OnSourceChanged(uint ssrc);
}

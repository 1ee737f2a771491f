namespace Intercom.Media.Dtls;

/// <summary>
/// Where a DTLS endpoint's datagrams go: the media socket it shares with RTP (RFC 5764 §5.1.2), to the signalled peer.
/// The span is only valid during the call.
/// </summary>
public interface IDtlsDatagramSender
{
    /// <summary>Sends one datagram; false when it could not be sent (DTLS retransmits on its timer).</summary>
    bool SendDtls(ReadOnlySpan<byte> datagram);
}

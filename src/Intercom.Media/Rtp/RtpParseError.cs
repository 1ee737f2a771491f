namespace Intercom.Media.Rtp;

/// <summary>Why a datagram was not accepted as an RTP packet (RFC 3550 §5.1, Appendix A.1 validity checks).</summary>
public enum RtpParseError
{
    /// <summary>The packet is valid.</summary>
    None,

    /// <summary>Shorter than the 12-byte fixed header.</summary>
    TooShort,

    /// <summary>Version field is not 2.</summary>
    BadVersion,

    /// <summary>The CSRC list or header extension runs past the end of the datagram.</summary>
    TruncatedHeader,

    /// <summary>The padding count is zero or larger than the payload it would strip.</summary>
    BadPadding,

    /// <summary>The payload type is 72–76, which collides with RTCP SR/RR/SDES/BYE/APP (RFC 5761 §4).</summary>
    RtcpPayloadType,
}

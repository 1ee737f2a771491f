namespace Intercom.Media.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1).</summary>
public enum RtcpPacketType : byte
{
    /// <summary>SR, §6.4.1.</summary>
    SenderReport = 200,

    /// <summary>RR, §6.4.2.</summary>
    ReceiverReport = 201,

    /// <summary>SDES, §6.5.</summary>
    SourceDescription = 202,

    /// <summary>BYE, §6.6.</summary>
    Goodbye = 203,

    /// <summary>APP, §6.7.</summary>
    ApplicationDefined = 204,
}

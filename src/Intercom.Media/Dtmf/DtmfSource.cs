namespace Intercom.Media.Dtmf;

/// <summary>The path a DTMF digit arrived by.</summary>
public enum DtmfSource
{
    /// <summary>RFC 4733 telephone-event packets.</summary>
    RtpEvent,

    /// <summary>A SIP INFO body.</summary>
    SipInfo,

    /// <summary>Tones detected in the audio.</summary>
    InBand,
}

namespace Intercom.Station.Calls;

/// <summary>The path a DTMF digit came by (logged, so an installer can see which one the PBX uses).</summary>
public enum DtmfSource
{
    /// <summary>RTP telephone-event (RFC 4733).</summary>
    Rfc4733,

    /// <summary>SIP INFO with application/dtmf-relay or application/dtmf.</summary>
    SipInfo,

    /// <summary>Detected in the audio (in-band tones).</summary>
    Inband,
}

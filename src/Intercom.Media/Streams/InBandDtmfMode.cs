namespace Intercom.Media.Streams;

/// <summary>When an <see cref="AudioStream"/> listens for DTMF tones in the decoded audio.</summary>
public enum InBandDtmfMode
{
    /// <summary>Only when the peer did not agree to RFC 4733 telephone-events (a peer that can only send tones).</summary>
    Auto,

    /// <summary>Always; a digit that also came as an event or SIP INFO is still reported once.</summary>
    Always,

    /// <summary>Never.</summary>
    Off,
}

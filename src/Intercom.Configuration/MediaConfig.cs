namespace Intercom.Configuration;

/// <summary>RTP and codec settings (RFC 3550, RFC 3264).</summary>
public sealed class MediaConfig
{
    public int RtpPortMin { get; set; } = 10000;

    public int RtpPortMax { get; set; } = 10999;

    /// <summary>Codecs in order of preference: opus, g722, pcmu, pcma.</summary>
    public List<string> Codecs { get; set; } = ["opus", "g722", "pcmu", "pcma"];

    public int PtimeMs { get; set; } = 20;

    /// <summary>End a call whose RTP stopped for this long (0 = never).</summary>
    public int MediaTimeoutSeconds { get; set; } = 30;

    /// <summary>Offer and accept RFC 4733 telephone-events for DTMF.</summary>
    public bool TelephoneEvent { get; set; } = true;

    /// <summary>DTMF tones in the audio: auto (when the peer has no telephone-event), always or off.</summary>
    public string InBandDtmf { get; set; } = "auto";

    /// <summary>Opus bit rate in bit/s.</summary>
    public int OpusBitrate { get; set; } = 24000;
}

namespace Intercom.Media.Sdp;

/// <summary>
/// An RTP payload format as SDP describes it (a=rtpmap / a=fmtp, RFC 8866 §6.6, §6.15).
/// </summary>
/// <param name="PayloadType">RTP payload type number (0–127).</param>
/// <param name="EncodingName">"PCMU", "PCMA", "G722", "opus", "telephone-event".</param>
/// <param name="ClockRate">The RTP clock rate as written in SDP (8000 for G.722 by RFC 3551's historical error).</param>
/// <param name="Channels">Channel count; Opus is always written "/2" (RFC 7587 §7).</param>
/// <param name="Parameters">The a=fmtp value, or null.</param>
public sealed record MediaFormat(int PayloadType, string EncodingName, int ClockRate, int Channels = 1, string? Parameters = null)
{
    /// <summary>G.711 µ-law, static type 0.</summary>
    public static MediaFormat Pcmu { get; } = new(0, "PCMU", 8000);

    /// <summary>G.711 A-law, static type 8.</summary>
    public static MediaFormat Pcma { get; } = new(8, "PCMA", 8000);

    /// <summary>G.722, static type 9; sampled at 16 kHz but its RTP clock is 8000 (RFC 3551 §4.5.2).</summary>
    public static MediaFormat G722 { get; } = new(9, "G722", 8000);

    /// <summary>Opus (RFC 7587), dynamic, with in-band FEC requested.</summary>
    public static MediaFormat Opus { get; } = new(111, "opus", 48000, 2, "useinbandfec=1");

    /// <summary>RFC 4733 DTMF events 0–15 at 8 kHz, dynamic.</summary>
    public static MediaFormat TelephoneEvent { get; } = new(101, "telephone-event", 8000, 1, "0-16");

    /// <summary>True for the DTMF event format.</summary>
    public bool IsTelephoneEvent => string.Equals(EncodingName, "telephone-event", StringComparison.OrdinalIgnoreCase);

    /// <summary>The a=rtpmap value.</summary>
    public string RtpMap => Channels > 1 ? $"{PayloadType} {EncodingName}/{ClockRate}/{Channels}" : $"{PayloadType} {EncodingName}/{ClockRate}";

    /// <summary>Same codec (name, clock rate, channels), whatever the payload type number.</summary>
    public bool Matches(MediaFormat other) =>
        string.Equals(EncodingName, other.EncodingName, StringComparison.OrdinalIgnoreCase)
        && ClockRate == other.ClockRate
        && (Channels == other.Channels || IsOpus);

    private bool IsOpus => string.Equals(EncodingName, "opus", StringComparison.OrdinalIgnoreCase);

    /// <summary>The RFC 3551 §6 static audio types this library can use; null for others.</summary>
    public static MediaFormat? FromStaticPayloadType(int payloadType) => payloadType switch
    {
        0 => Pcmu,
        8 => Pcma,
        9 => G722,
        _ => null,
    };
}

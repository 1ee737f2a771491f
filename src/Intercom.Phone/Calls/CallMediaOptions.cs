using Intercom.Media.Sdp;
using Intercom.Media.Srtp;
using Intercom.Media.Streams;

namespace Intercom.Phone;

/// <summary>What every call's media offers and how its audio stream behaves (from the configuration's media section and the account).</summary>
public sealed record CallMediaOptions
{
    /// <summary>First port of the RTP range (RTP even, RTCP the odd port after it).</summary>
    public int RtpPortMin { get; init; } = 10000;

    /// <summary>Last port of the RTP range.</summary>
    public int RtpPortMax { get; init; } = 10999;

    /// <summary>Audio codecs in preference order (RFC 3264 §5.1: the answerer picks by our order when we answer).</summary>
    public IReadOnlyList<MediaFormat> Formats { get; init; } = [MediaFormat.Pcmu, MediaFormat.Pcma];

    /// <summary>Offer and accept RFC 4733 telephone-events (DTMF) next to the codec.</summary>
    public bool TelephoneEvent { get; init; } = true;

    /// <summary>Our a=ptime in ms.</summary>
    public int PacketTimeMs { get; init; } = 20;

    /// <summary>SRTP by SDES: off, offered (best effort) or required (the account's policy: each call sets its own).</summary>
    public SrtpPolicy Srtp { get; init; } = SrtpPolicy.Disabled;

    /// <summary>A call whose RTP stopped for this long is ended; zero never.</summary>
    public TimeSpan MediaTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>When to listen for DTMF tones in the audio.</summary>
    public InBandDtmfMode InBandDtmf { get; init; } = InBandDtmfMode.Auto;

    /// <summary>Opus bit rate in bit/s.</summary>
    public int OpusBitrate { get; init; } = 24000;

    /// <summary>Clock of timers and arrival times.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

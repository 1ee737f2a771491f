using System.Net;
using Intercom.Media.Srtp;

namespace Intercom.Media.Sdp;

/// <summary>What this endpoint offers and accepts for audio.</summary>
public sealed class SdpNegotiatorOptions
{
    /// <summary>Our media address, written in o= and c= (IN IP4 or IN IP6 by its family).</summary>
    public required IPAddress Address { get; init; }

    /// <summary>Our RTP port (even; RTCP on port + 1 unless muxed).</summary>
    public required int RtpPort { get; init; }

    /// <summary>Codecs in preference order, plus telephone-event if DTMF events are wanted.</summary>
    public IReadOnlyList<MediaFormat> Formats { get; init; } = [MediaFormat.Pcmu, MediaFormat.Pcma, MediaFormat.TelephoneEvent];

    /// <summary>The packet duration we ask for (a=ptime), in ms.</summary>
    public int PacketTime { get; init; } = 20;

    /// <summary>Offer RTP/RTCP multiplexing (RFC 5761); always accepted when the peer offers it.</summary>
    public bool OfferRtcpMux { get; init; } = true;

    /// <summary>SRTP by SDES.</summary>
    public SrtpPolicy Srtp { get; init; } = SrtpPolicy.Disabled;

    /// <summary>Our DTLS certificate's fingerprint (a=fingerprint), needed with <see cref="SrtpPolicy.DtlsSrtp"/>.</summary>
    public Dtls.DtlsFingerprint? DtlsFingerprint { get; init; }

    /// <summary>The o= session id; random when zero.</summary>
    public ulong SessionId { get; init; }

    /// <summary>The o= user name.</summary>
    public string Username { get; init; } = "-";

    /// <summary>Our SRTP master key and salt (30 bytes); random when empty. Tests set it.</summary>
    public ReadOnlyMemory<byte> SrtpMasterKey { get; init; }
}

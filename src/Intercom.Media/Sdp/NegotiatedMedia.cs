using System.Net;
using Intercom.Media.Srtp;

namespace Intercom.Media.Sdp;

/// <summary>
/// What the last completed offer/answer exchange agreed for the audio stream; the media session is (re)configured from it.
/// </summary>
public sealed record NegotiatedMedia
{
    /// <summary>Where to send RTP; null if the peer gave a host name rather than an address, or the 0.0.0.0 hold address.</summary>
    public required IPEndPoint? RemoteRtp { get; init; }

    /// <summary>The peer's connection address as written (an IP literal or a host name for the user agent to resolve).</summary>
    public required string RemoteHost { get; init; }

    /// <summary>The peer's RTP port.</summary>
    public required int RemoteRtpPort { get; init; }

    /// <summary>Where to send RTCP: the RTP endpoint with rtcp-mux, else a=rtcp (RFC 3605) or RTP port + 1.</summary>
    public required IPEndPoint? RemoteRtcp { get; init; }

    /// <summary>The codec we send, numbered with the peer's payload type.</summary>
    public required MediaFormat SendFormat { get; init; }

    /// <summary>The payload type the peer uses to send us that codec (our number when we offered, theirs when we answered).</summary>
    public required int ReceivePayloadType { get; init; }

    /// <summary>The peer's telephone-event payload type for the DTMF we send (RFC 4733), or null if not negotiated.</summary>
    public int? SendTelephoneEventPayloadType { get; init; }

    /// <summary>The telephone-event payload type the peer will use towards us, or null.</summary>
    public int? ReceiveTelephoneEventPayloadType { get; init; }

    /// <summary>Our direction: whether we send, receive, both or neither.</summary>
    public required MediaDirection Direction { get; init; }

    /// <summary>Packet duration to send, in ms: the peer's a=ptime, else 20.</summary>
    public required int PacketTime { get; init; }

    /// <summary>RTP and RTCP share one port (RFC 5761).</summary>
    public required bool RtcpMux { get; init; }

    /// <summary>SRTP keys agreed by SDES (RFC 4568), or null for plain RTP.</summary>
    public SrtpKeys? Srtp { get; init; }

    /// <summary>DTLS-SRTP (RFC 5763): our handshake role and the peer's fingerprint; the keys come from the handshake.</summary>
    public NegotiatedDtls? Dtls { get; init; }

    /// <summary>The peer's ICE attributes (RFC 8839), or null when it does not do ICE: then media follows c= and m=.</summary>
    public Ice.IceMediaParameters? RemoteIce { get; init; }
}

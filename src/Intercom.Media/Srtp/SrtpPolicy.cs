namespace Intercom.Media.Srtp;

/// <summary>Whether calls use SRTP, keyed by SDES (RFC 4568) or by a DTLS handshake on the media path (RFC 5763/5764).</summary>
public enum SrtpPolicy
{
    /// <summary>Plain RTP only; RTP/SAVP offers are declined.</summary>
    Disabled,

    /// <summary>
    /// Best effort ("offered"): offer RTP/AVP with a=crypto lines and use SRTP when the answer keys one of them, plain RTP
    /// when it does not; accept RTP/SAVP offers, and RTP/AVP offers that carry a usable a=crypto, with SRTP.
    /// </summary>
    Optional,

    /// <summary>Offer RTP/SAVP with a=crypto and accept only offers and answers that key SRTP.</summary>
    Required,

    /// <summary>
    /// DTLS-SRTP only: offer UDP/TLS/RTP/SAVP with a=fingerprint, a=setup:actpass and rtcp-mux; accept only
    /// UDP/TLS/RTP/SAVP(F) offers and answers. SDES and plain RTP are refused (488), no fallback: the keys never
    /// travel in the SDP, so this needs no TLS for secrecy (the fingerprint's integrity still rests on the signalling).
    /// </summary>
    DtlsSrtp,
}

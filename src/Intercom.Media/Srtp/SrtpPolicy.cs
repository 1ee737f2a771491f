namespace Intercom.Media.Srtp;

/// <summary>Whether calls use SRTP keyed by SDES (RFC 4568).</summary>
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
}

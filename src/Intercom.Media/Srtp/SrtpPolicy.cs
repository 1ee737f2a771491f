namespace Intercom.Media.Srtp;

/// <summary>Whether calls use SRTP keyed by SDES (RFC 4568).</summary>
public enum SrtpPolicy
{
    /// <summary>Plain RTP only; RTP/SAVP offers are declined.</summary>
    Disabled,

    /// <summary>Offer plain RTP; accept an RTP/SAVP offer with a usable a=crypto.</summary>
    Optional,

    /// <summary>Offer RTP/SAVP with a=crypto and accept only that.</summary>
    Required,
}

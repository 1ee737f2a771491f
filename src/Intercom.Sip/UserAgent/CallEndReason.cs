namespace Intercom.Sip.UserAgent;

/// <summary>Why a call ended, in the terms the station reports.</summary>
public enum CallEndReason
{
    /// <summary>We hung up (BYE) an established call.</summary>
    LocalHangup,

    /// <summary>The peer hung up (BYE).</summary>
    RemoteHangup,

    /// <summary>We cancelled our INVITE before it was answered (RFC 3261 §9).</summary>
    Cancelled,

    /// <summary>The caller cancelled its INVITE before we answered.</summary>
    RemoteCancelled,

    /// <summary>The far end refused the call with a final response (status in <see cref="SipCall.EndStatus"/>).</summary>
    Rejected,

    /// <summary>We refused an incoming call.</summary>
    LocalRejected,

    /// <summary>No answer in time: Timer B, no ACK for our 2xx (RFC 3261 §13.3.1.4) or an expired session timer.</summary>
    Timeout,

    /// <summary>The transport failed and no other destination was left.</summary>
    TransportError,

    /// <summary>The session description could not be agreed (488) or the request could not be built.</summary>
    Failed,
}

namespace Intercom.Station.Calls;

/// <summary>What happened on a call leg.</summary>
public enum CallEventKind
{
    /// <summary>An outgoing leg is ringing at the far end (180/183).</summary>
    Ringing,

    /// <summary>An outgoing leg was answered (2xx), or an incoming call the station answered is confirmed (ACK).</summary>
    Answered,

    /// <summary>The leg is over, for <see cref="CallEventArgs.EndReason"/>; no further events for it.</summary>
    Ended,

    /// <summary>A DTMF digit arrived (<see cref="CallEventArgs.Digit"/>, via <see cref="CallEventArgs.DtmfSource"/>).</summary>
    Dtmf,

    /// <summary>
    /// An outgoing leg was forwarded (3xx) and rings <see cref="CallEventArgs.RemoteUri"/> now, under the same handle;
    /// <see cref="CallEventArgs.SipStatus"/> is the redirect's status.
    /// </summary>
    Redirected,

    /// <summary>A new call to the station (<see cref="CallEventArgs.RemoteUri"/> is the caller); no final response sent yet.</summary>
    Incoming,
}

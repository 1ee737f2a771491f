namespace Intercom.Sip.UserAgent;

/// <summary>Where an INVITE session stands, from the point of view of the call API.</summary>
public enum CallState
{
    /// <summary>Outgoing INVITE sent, no provisional response with a tag yet.</summary>
    Calling,

    /// <summary>Outgoing call, the far end is ringing (1xx with a tag: an early dialog).</summary>
    Ringing,

    /// <summary>Incoming INVITE waiting for answer or rejection.</summary>
    Incoming,

    /// <summary>Incoming call answered with 2xx, waiting for the ACK.</summary>
    Answering,

    /// <summary>The dialog is confirmed: media flows.</summary>
    Established,

    /// <summary>CANCEL or BYE sent, waiting for its outcome.</summary>
    Ending,

    Ended,
}

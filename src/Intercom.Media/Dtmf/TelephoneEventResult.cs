namespace Intercom.Media.Dtmf;

/// <summary>What a received telephone-event packet meant.</summary>
public enum TelephoneEventResult
{
    /// <summary>A new event: report its digit (exactly once per event).</summary>
    Started,

    /// <summary>A continuation of the current event.</summary>
    Continued,

    /// <summary>The first end packet of the current event; its duration is final.</summary>
    Ended,

    /// <summary>A duplicate, a retransmitted end, or a packet of an older event.</summary>
    Ignored,

    /// <summary>Shorter than 4 bytes or not a DTMF event code.</summary>
    Malformed,
}

namespace Intercom.Station.Calls;

/// <summary>Feedback the visitor hears from the station's loudspeaker.</summary>
public enum StationTone
{
    /// <summary>Stop whatever tone is playing.</summary>
    None,

    /// <summary>Ringback while targets ring (repeats until stopped).</summary>
    Calling,

    /// <summary>Busy tone: every target was busy or declined.</summary>
    Busy,

    /// <summary>Failure tone: nobody answered, or the call could not be placed.</summary>
    Failure,

    /// <summary>A short beep when the station auto-answers a call (nobody is listened to unnoticed).</summary>
    Announcement,

    /// <summary>A confirmation when a code opened a relay.</summary>
    Accepted,

    /// <summary>An error beep for a wrong code or an unknown apartment.</summary>
    Rejected,
}

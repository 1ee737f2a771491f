namespace Intercom.Station.Configuration;

/// <summary>What a call button does while a call is already in progress.</summary>
public enum ButtonInCallAction
{
    /// <summary>Nothing (a visitor pressing again does not disturb the call).</summary>
    Ignore,

    /// <summary>Ends the call (ringing or connected).</summary>
    HangUp,

    /// <summary>While ringing, gives up on the current target(s) and rings the next; ignored once connected.</summary>
    NextTarget,
}

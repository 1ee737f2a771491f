namespace Intercom.Hardware;

/// <summary>Where an input held from the station's start stands (<see cref="StartupHold"/>).</summary>
public enum StartupHoldState
{
    /// <summary>Not held when the station started: nothing to watch (the everyday case).</summary>
    NotHeld,

    /// <summary>Held since the start, not yet for <see cref="StartupHold.MinimumHold"/>.</summary>
    Holding,

    /// <summary>Held for <see cref="StartupHold.MinimumHold"/>: letting go now completes the gesture.</summary>
    Armed,

    /// <summary>Let go after <see cref="StartupHold.MinimumHold"/> and before <see cref="StartupHold.StuckAfter"/>: the gesture is made.</summary>
    Completed,

    /// <summary>Let go before <see cref="StartupHold.MinimumHold"/>: no gesture.</summary>
    ReleasedEarly,

    /// <summary>Still held <see cref="StartupHold.StuckAfter"/> after the start: a stuck button or a shorted wire, not a person; no gesture in this run.</summary>
    Stuck,
}

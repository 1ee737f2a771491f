namespace Intercom.Station.Events;

/// <summary>Moments in the station's own life.</summary>
public enum StationLifecycle
{
    /// <summary>Started handling buttons, calls and codes.</summary>
    Started,

    /// <summary>Stopped: calls ended, relays released.</summary>
    Stopped,

    /// <summary>Changed door-station rules applied while running.</summary>
    ConfigurationApplied,
}

using Intercom.Hardware;

namespace Intercom.Station.Configuration;

/// <summary>One call button and whom it calls.</summary>
public sealed class ButtonConfig
{
    /// <summary>Id used in the log and the API.</summary>
    public string Id { get; set; } = "";

    /// <summary>BCM GPIO number.</summary>
    public int Pin { get; set; }

    /// <summary>True for a button to ground.</summary>
    public bool ActiveLow { get; set; } = true;

    /// <summary>Internal pull resistor.</summary>
    public PinPull Pull { get; set; } = PinPull.Up;

    /// <summary>Debounce in milliseconds; null takes the board's default.</summary>
    public int? DebounceMs { get; set; }

    /// <summary>The ring group called when no schedule below is active.</summary>
    public string RingGroup { get; set; } = "";

    /// <summary>Checked in order; the first whose schedule is active now chooses the ring group.</summary>
    public List<ScheduledRingGroupConfig> Schedules { get; set; } = [];
}

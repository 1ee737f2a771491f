namespace Intercom.Station.Configuration;

/// <summary>While a schedule is active, a button rings this group instead of its default.</summary>
public sealed class ScheduledRingGroupConfig
{
    /// <summary>Id of a schedule in <see cref="StationConfig.Schedules"/>.</summary>
    public string Schedule { get; set; } = "";

    /// <summary>Id of a ring group in <see cref="StationConfig.RingGroups"/>.</summary>
    public string RingGroup { get; set; } = "";
}

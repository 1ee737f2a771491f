using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A target of the ring group's current step rings (once per step).</summary>
public sealed record RingGroupRinging(string RingGroupId) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

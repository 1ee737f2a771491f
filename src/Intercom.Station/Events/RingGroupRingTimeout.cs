using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>Nobody answered the current step within the ring timeout.</summary>
public sealed record RingGroupRingTimeout(string RingGroupId, int Seconds) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The station ended the ring group call on behalf of <paramref name="By"/> ("button", "web page", "shutdown").</summary>
public sealed record RingGroupHungUp(string RingGroupId, string By) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

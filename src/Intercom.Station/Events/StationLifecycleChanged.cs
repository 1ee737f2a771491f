using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The station started, stopped or took a changed configuration.</summary>
public sealed record StationLifecycleChanged(StationLifecycle Stage) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Station;
}

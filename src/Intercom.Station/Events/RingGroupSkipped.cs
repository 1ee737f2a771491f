using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A button press during ringing skipped to the next step.</summary>
public sealed record RingGroupSkipped(string RingGroupId) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

using Intercom.Station.Logging;
using Intercom.Station.Routing;

namespace Intercom.Station.Events;

/// <summary>Every step ended without an answer.</summary>
public sealed record RingGroupUnanswered(string RingGroupId, CallOutcome Outcome) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A target answered; <paramref name="Call"/> is the connected leg.</summary>
public sealed record RingGroupAnswered(string RingGroupId, CallHandle Call) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A call reached its maximum time and is hung up: a ring group's call, or (when <paramref name="RingGroupId"/> is null) an incoming call.</summary>
public sealed record CallTimeLimitReached(string? RingGroupId, CallHandle Call, int Seconds) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => RingGroupId is null ? StationEventKind.Incoming : StationEventKind.Call;
}

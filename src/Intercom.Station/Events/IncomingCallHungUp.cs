using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The station ended the incoming call on behalf of <paramref name="By"/>.</summary>
public sealed record IncomingCallHungUp(CallHandle Call, string By) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Incoming;
}

using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The incoming call was ended by its caller or the network.</summary>
public sealed record IncomingCallEnded(CallHandle Call, CallEndReason Reason) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Incoming;
}

using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>An allowlisted incoming call was auto-answered.</summary>
public sealed record IncomingCallAnswered(string? Caller, CallerOrigin Origin, CallHandle Call) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Incoming;
}

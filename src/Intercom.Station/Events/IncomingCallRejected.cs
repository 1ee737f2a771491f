using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>An incoming call was refused with <paramref name="SipStatus"/>. <paramref name="Caller"/> is its From URI (a claim, not an identity).</summary>
public sealed record IncomingCallRejected(string? Caller, CallerOrigin Origin, IncomingRefusal Reason, int SipStatus) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Incoming;
}

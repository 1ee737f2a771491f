using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The answered ring group call ended (<paramref name="SipStatus"/> is 0 when no SIP status applies).</summary>
public sealed record RingGroupCallEnded(string RingGroupId, CallEndReason Reason, int SipStatus) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

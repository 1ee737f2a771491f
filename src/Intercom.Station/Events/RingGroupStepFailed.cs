using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>Every leg of step <paramref name="Step"/> (from 1) ended without an answer.</summary>
public sealed record RingGroupStepFailed(string RingGroupId, int Step, CallEndReason Reason, int SipStatus) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

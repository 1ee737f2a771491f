using Intercom.Station.Calls;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>
/// A target of the ring group forwarded the call (a 3xx, e.g. a desk phone forwarding to a mobile) and the leg now rings
/// <paramref name="Target"/>, within the same step and ring timeout.
/// </summary>
public sealed record RingGroupRedirected(string RingGroupId, CallHandle Call, string Target, int SipStatus) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

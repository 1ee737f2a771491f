using Intercom.Station.Configuration;
using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A ring group call starts, on behalf of <paramref name="Origin"/> ("button button1", "keypad", "web page").</summary>
public sealed record RingGroupCalling(string Origin, string RingGroupId, RingMode Mode, int Steps) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>What the station is doing on the phone changed (idle, calling, in a call). Not a line of the log: the call's own events say what happened.</summary>
public sealed record StationCallStateChanged(StationCallState State) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The door contact has stayed open longer than allowed.</summary>
public sealed record DoorHeldOpen(int Seconds) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Door;
}

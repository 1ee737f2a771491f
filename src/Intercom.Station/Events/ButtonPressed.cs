using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A call button was pressed (the doorbell).</summary>
public sealed record ButtonPressed(string ButtonId) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Button;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The keypad's call key was pressed after a number that is no apartment.</summary>
public sealed record UnknownApartment : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Keypad;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>An apartment number was dialled at the keypad.</summary>
public sealed record ApartmentDialled(string Apartment) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Keypad;
}

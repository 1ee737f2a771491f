using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A relay was energised or released (a pulse's start and end, whoever asked for it).</summary>
public sealed record RelayChanged(string RelayId, bool Energised) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Relay;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The tamper switch saw the housing opened (active) or closed again.</summary>
public sealed record TamperChanged(bool Active) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Tamper;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A dial request (keypad, web page, API) was refused.</summary>
public sealed record DialRefused(string Origin, DialRefusal Reason) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

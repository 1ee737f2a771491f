using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>Someone (the web page, the API, MQTT) asked for a relay's pulse; <paramref name="Opened"/> is false when the board refused it.</summary>
public sealed record RelayOpenRequested(string RelayId, string RequestedBy, bool Opened) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Relay;
}

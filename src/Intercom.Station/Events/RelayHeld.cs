using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>
/// A relay (mode Hold) is held open on purpose, past its maxMs: by <paramref name="By"/> (the page, the API, MQTT, or
/// "schedule ID"), until it is released or, with <paramref name="Until"/>, until then. Raised again when who holds it or
/// its end changes.
/// </summary>
public sealed record RelayHeld(string RelayId, string By, DateTimeOffset? Until) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Relay;
}

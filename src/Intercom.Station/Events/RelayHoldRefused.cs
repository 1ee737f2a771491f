using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A request to hold a relay open was refused (<paramref name="Reason"/>: the relay only pulses, or is unknown).</summary>
public sealed record RelayHoldRefused(string RelayId, string By, string Reason) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Relay;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>
/// A relay was released on purpose: a hold ended (<paramref name="WasHeld"/>: by a release command, its time, its schedule's
/// end, a configuration that no longer lets it hold, or the board) or a release command cut a pulse short.
/// <paramref name="By"/> says which.
/// </summary>
public sealed record RelayReleased(string RelayId, string By, bool WasHeld) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Relay;
}

namespace Intercom.Station.Events;

/// <summary>
/// Where the station's rules publish <see cref="DoorStationEvent"/>s. Raised on the station's loop, in the order things
/// happened; the event log subscribes first (so a subscriber that reads the log finds the event there), then the page,
/// MQTT and webhooks. Handlers must return at once (queue work, never wait): they hold up the station.
/// </summary>
public sealed class StationEventBus
{
    /// <summary>An event happened.</summary>
    public event EventHandler<DoorStationEvent>? Raised;

    /// <summary>Raises <paramref name="e"/> to every subscriber, on the caller's thread (the station's loop).</summary>
    public void Publish(DoorStationEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Raised?.Invoke(this, e);
    }
}

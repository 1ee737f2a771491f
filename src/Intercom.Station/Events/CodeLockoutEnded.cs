using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The keypad's lockout (<paramref name="Caller"/> "keypad") or, when it is null, the station-wide one ended: codes are looked at again.</summary>
public sealed record CodeLockoutEnded(string? Caller) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Lockout;
}

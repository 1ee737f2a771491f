using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The exit button asked for the door relay's pulse; <paramref name="Opened"/> is false when the board refused it.</summary>
public sealed record ExitButtonPressed(string RelayId, bool Opened) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Door;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>
/// The door contact opened or closed. <paramref name="ElectricRelease"/> says whether the door relay was energised when
/// it opened: a door opened without it was forced (or opened with a key).
/// </summary>
public sealed record DoorContactChanged(bool Open, bool ElectricRelease) : DoorStationEvent
{
    /// <summary>Opened while the door relay was not energised.</summary>
    public bool Forced => Open && !ElectricRelease;

    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Door;
}

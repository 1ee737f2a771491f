using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>The ring group moves on to step <paramref name="Step"/> (from 1) of <paramref name="Steps"/>.</summary>
public sealed record RingGroupNextStep(string RingGroupId, int Step, int Steps) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

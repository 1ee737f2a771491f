using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A call button rang nobody: it has no ring group, or its ring group has no targets (<paramref name="Reason"/> says which, for a person).</summary>
public sealed record ButtonNotRouted(string ButtonId, string Reason) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Call;
}

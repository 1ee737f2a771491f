using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A call button press had nothing to do: a call is in progress and its ring group ignores the button.</summary>
public sealed record ButtonIgnored : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Button;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A code was accepted and opens <paramref name="RelayId"/>. <paramref name="EntryId"/> is the code entry's id (whose code it was; never the digits), <paramref name="Path"/> how the digits arrived ("RFC 4733", "keypad"), <paramref name="Scope"/> where ("call 3", "keypad").</summary>
public sealed record CodeAccepted(string? EntryId, string Path, string Scope, string RelayId) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.CodeAccepted;
}

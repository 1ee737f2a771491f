using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>
/// A code was accepted and opens <paramref name="RelayId"/>. <paramref name="EntryId"/> is the code entry's id (whose code
/// it was; never the digits), <paramref name="Path"/> how the digits arrived ("RFC 4733", "keypad"), <paramref name="Scope"/>
/// where ("call 3", "keypad"). <paramref name="User"/>: a resident in the call opened it without digits, as this web user
/// (the page's Open door, <paramref name="Path"/> "web page"); null for digits.
/// </summary>
public sealed record CodeAccepted(string? EntryId, string Path, string Scope, string RelayId, string? User = null) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.CodeAccepted;
}

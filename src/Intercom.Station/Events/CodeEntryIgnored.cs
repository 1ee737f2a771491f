using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>Digits were ignored because their caller (or, when <paramref name="Caller"/> is null, the station) is locked out; raised once per lockout.</summary>
public sealed record CodeEntryIgnored(string Path, string Scope, string? Caller) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Lockout;
}

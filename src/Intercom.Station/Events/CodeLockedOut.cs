using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>Wrong codes locked out a caller ("keypad", "call 3" or a source address) or, when <paramref name="Caller"/> is null, the whole station, for <paramref name="Seconds"/>. <paramref name="InARow"/> counts the lockouts in a row.</summary>
public sealed record CodeLockedOut(string? Caller, int Seconds, int AfterFailures, int InARow) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.Lockout;
}

using Intercom.Station.Logging;

namespace Intercom.Station.Events;

/// <summary>A wrong code (the digits are never told). <paramref name="Source"/> is the caller's address when its failures count across calls; the counts are the caller's and the station's towards their lockouts.</summary>
public sealed record CodeRejected(string Path, string Scope, string? Source, int Failures, int MaxFailures, int StationFailures, int StationMaxFailures) : DoorStationEvent
{
    /// <inheritdoc/>
    public override StationEventKind Kind => StationEventKind.CodeRejected;
}

namespace Intercom.Station.Logging;

/// <summary>One logged event.</summary>
/// <param name="Sequence">Increasing number, continued across restarts from the persisted tail.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Kind">What sort of event.</param>
/// <param name="Message">What happened, for a person. Never contains codes or passwords.</param>
public sealed record StationEvent(long Sequence, DateTimeOffset At, StationEventKind Kind, string Message);

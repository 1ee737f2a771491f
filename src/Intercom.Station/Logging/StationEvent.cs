using System.Text.Json.Serialization;
using Intercom.Station.Events;

namespace Intercom.Station.Logging;

/// <summary>One logged event.</summary>
/// <param name="Sequence">Increasing number, continued across restarts from the persisted tail.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Kind">What sort of event.</param>
/// <param name="Message">What happened, for a person. Never contains codes or passwords.</param>
/// <param name="Detail">
/// The typed event the line was written from, for the page and the API to read ids from (never the message). Null for
/// entries loaded from the persisted tail (only the line is kept on disk).
/// </param>
public sealed record StationEvent(long Sequence, DateTimeOffset At, StationEventKind Kind, string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DoorStationEvent? Detail = null);

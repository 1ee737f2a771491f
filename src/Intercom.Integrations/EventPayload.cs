namespace Intercom.Integrations;

/// <summary>
/// The JSON of an event, the same on MQTT (PREFIX/event/NAME) and in a webhook's body. "event_type" is the key Home
/// Assistant's MQTT event entity reads; the other members become the event's attributes there.
/// </summary>
internal sealed class EventPayload
{
    public string EventType { get; init; } = "";

    public long Sequence { get; init; }

    public DateTimeOffset At { get; init; }

    public string? Subject { get; init; }

    public string Message { get; init; } = "";

    /// <summary>For code_accepted: the code entry's id (whose code opened the door), when it has one.</summary>
    public string? Entry { get; init; }

    /// <summary>For registration: where the account's registration stands now ("registered", "retrying", ...).</summary>
    public string? State { get; init; }

    /// <summary>The station's configured name, so one receiver can tell several stations apart.</summary>
    public string Station { get; init; } = "";

    public static EventPayload From(IntegrationEvent e, string station) => new()
    {
        EventType = e.Name,
        Sequence = e.Sequence,
        At = e.At,
        Subject = e.Subject,
        Message = e.Message,
        Entry = e.Entry,
        State = e.State,
        Station = station,
    };
}

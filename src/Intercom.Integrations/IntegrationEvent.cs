namespace Intercom.Integrations;

/// <summary>One thing that happened at the door, as home automation sees it.</summary>
/// <param name="Name">One of <see cref="Configuration.IntegrationEventNames"/> ("doorbell", "door_opened", ...).</param>
/// <param name="Sequence">Increasing from 1 for the life of the process, so a receiver can spot gaps and repeats.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Subject">The button, relay or account concerned, when there is one.</param>
/// <param name="Message">The station's log line, for a person (its wording may change; read the other members). Never holds codes or passwords.</param>
/// <param name="Entry">For a code: the id of the code entry that matched (whose code it was), when it has one; never the digits.</param>
/// <param name="State">For a registration: where the account's registration stands now (<see cref="RegistrationStates"/>).</param>
public sealed record IntegrationEvent(string Name, long Sequence, DateTimeOffset At, string? Subject, string Message, string? Entry = null,
    string? State = null);

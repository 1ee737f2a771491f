namespace Intercom.Integrations.Webhooks;

/// <summary>One finished POST.</summary>
/// <param name="Endpoint">Index of the endpoint in the configuration.</param>
/// <param name="Sequence">The event's sequence number.</param>
/// <param name="Attempt">1 for the first try.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Status">The HTTP status, when there was a response.</param>
public readonly record struct WebhookAttempt(int Endpoint, long Sequence, int Attempt, WebhookAttemptOutcome Outcome, int? Status);

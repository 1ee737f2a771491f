namespace Intercom.Integrations.Webhooks;

/// <summary>How one POST to a webhook ended.</summary>
public enum WebhookAttemptOutcome
{
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>It failed in a way worth repeating (network error, timeout, 408, 429, 5xx); the next attempt is scheduled.</summary>
    Retrying,

    /// <summary>It failed and no attempt is left, or the receiver refused it for good (another 4xx): the event is dropped.</summary>
    Failed,
}

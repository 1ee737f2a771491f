namespace Intercom.Configuration;

/// <summary>One webhook receiver.</summary>
public sealed class WebhookEndpointConfig
{
    /// <summary>http: or https: URL. Its path may itself be a secret (Home Assistant webhook ids are): never logged whole.</summary>
    public string Url { get; set; } = "";

    /// <summary>Event kinds to send (see <see cref="IntegrationEventNames.All"/>); empty sends every kind.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>
    /// Shared secret for the X-Intercom-Signature header (HMAC-SHA256 over the timestamp and the body). Write-only:
    /// never logged, never returned by the API.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>Extra request headers (an Authorization bearer token, say). Values are write-only like passwords.</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>Time allowed for one attempt, connection included.</summary>
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary>Attempts per event, the first included; network errors, timeouts, 408, 429 and 5xx are retried.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Wait before the first retry; it doubles for each further one.</summary>
    public int RetryDelaySeconds { get; set; } = 2;
}

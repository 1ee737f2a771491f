namespace Intercom.Configuration;

/// <summary>Webhooks: each endpoint gets a JSON POST for the event kinds it chose, from a background queue.</summary>
public sealed class WebhooksConfig
{
    public List<WebhookEndpointConfig> Endpoints { get; set; } = [];
}

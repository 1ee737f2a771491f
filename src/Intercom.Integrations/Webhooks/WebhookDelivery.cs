namespace Intercom.Integrations.Webhooks;

/// <summary>An event waiting for one endpoint: its kind, sequence and the JSON body shared by every endpoint.</summary>
internal sealed record WebhookDelivery(string EventName, long Sequence, byte[] Body);

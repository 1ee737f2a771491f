namespace Intercom.Integrations.Tests.Http;

/// <summary>One request the receiver got.</summary>
internal sealed record ReceivedWebhook(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

namespace Intercom.TestSupport;

/// <summary>One request the receiver got.</summary>
public sealed record ReceivedWebhook(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

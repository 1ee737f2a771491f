namespace Intercom.Integrations.Tests.Broker;

/// <summary>One message the probe received.</summary>
internal sealed record ProbeMessage(string Topic, string Payload, bool Retain);

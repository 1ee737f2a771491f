namespace Intercom.Integrations.Mqtt;

/// <summary>A retained discovery message; an empty payload removes an entity Home Assistant may know from before.</summary>
/// <param name="Topic">DISCOVERY/COMPONENT/NODE/OBJECT/config.</param>
/// <param name="Payload">The JSON document, or empty.</param>
public sealed record DiscoveryDocument(string Topic, string Payload);

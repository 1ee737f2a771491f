namespace Intercom.Fuzz;

/// <summary>
/// How far <see cref="StationStartPath"/> got with one configuration, so a test can tell a harness that reaches the start
/// code from one that returns early and finds nothing.
/// </summary>
/// <param name="Registrations">Registration clients built (registering accounts).</param>
/// <param name="Offers">SDP offers made and answered, one per call account.</param>
/// <param name="Dialled">Targets the stations dialled (button presses, on both stations).</param>
/// <param name="DiscoveryDocuments">Home Assistant discovery documents built (0 without MQTT).</param>
/// <param name="WebhookEndpoints">Webhook endpoints built.</param>
internal readonly record struct StartPathReport(int Registrations, int Offers, int Dialled, int DiscoveryDocuments, int WebhookEndpoints);

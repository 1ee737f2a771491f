namespace Intercom.Integrations.Mqtt;

/// <summary>The "origin" block of a discovery document: which software published it (shown in Home Assistant's logs).</summary>
internal sealed class HomeAssistantOrigin
{
    public string Name { get; init; } = "Intercom";

    public string? SwVersion { get; init; }
}

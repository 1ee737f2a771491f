namespace Intercom.Integrations.Mqtt;

/// <summary>The "device" block of a discovery document: every entity of the station groups under one device.</summary>
internal sealed class HomeAssistantDevice
{
    public required IReadOnlyList<string> Identifiers { get; init; }

    public required string Name { get; init; }

    public string Manufacturer { get; init; } = "Intercom contributors";

    public string Model { get; init; } = "SIP door station";

    public string? SwVersion { get; init; }
}

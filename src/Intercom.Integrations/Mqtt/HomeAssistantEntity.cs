namespace Intercom.Integrations.Mqtt;

/// <summary>
/// One Home Assistant MQTT discovery document (an event, lock, button, sensor or binary_sensor). Only the members the
/// component uses are set; nulls are left out of the JSON.
/// </summary>
internal sealed class HomeAssistantEntity
{
    public required string Name { get; init; }

    public required string UniqueId { get; init; }

    // The three members every entity of the station shares are stamped by HomeAssistantDiscovery when it adds one.
    public HomeAssistantDevice? Device { get; set; }

    public HomeAssistantOrigin? Origin { get; set; }

    public string? AvailabilityTopic { get; set; }

    public string PayloadAvailable { get; init; } = StationMqttBridge.Online;

    public string PayloadNotAvailable { get; init; } = StationMqttBridge.Offline;

    public string? StateTopic { get; init; }

    public string? CommandTopic { get; init; }

    public string? DeviceClass { get; init; }

    public string? EntityCategory { get; init; }

    public string? Icon { get; init; }

    public IReadOnlyList<string>? EventTypes { get; init; }

    public IReadOnlyList<string>? Options { get; init; }

    public string? PayloadOn { get; init; }

    public string? PayloadOff { get; init; }

    public string? PayloadLock { get; init; }

    public string? PayloadUnlock { get; init; }

    public string? PayloadOpen { get; init; }

    public string? StateLocked { get; init; }

    public string? StateUnlocked { get; init; }

    public string? PayloadPress { get; init; }
}

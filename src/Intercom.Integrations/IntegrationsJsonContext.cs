using System.Text.Json.Serialization;
using Intercom.Integrations.Mqtt;

namespace Intercom.Integrations;

/// <summary>Source-generated JSON (no reflection, NativeAOT-safe) in the snake_case Home Assistant and webhooks expect.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(HomeAssistantEntity))]
internal sealed partial class IntegrationsJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace Intercom.Configuration;

/// <summary>
/// Source-generated (de)serialisation of the configuration: no reflection, so it survives NativeAOT trimming.
/// Unknown members are refused so that a misspelt field is reported instead of silently ignored, and null where the model
/// has no null (<c>"codecs": null</c>) is a JSON error, not a configuration the validator trips over (found by fuzzing).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UseStringEnumConverter = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(IntercomConfig))]
public sealed partial class ConfigJsonContext : JsonSerializerContext;

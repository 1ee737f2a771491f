using Intercom.Hardware;
using Intercom.Station.Configuration;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Intercom.Station.Tests;

/// <summary>The app embeds <see cref="StationConfig"/> in its source-generated JSON; this is the shape it needs.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, WriteIndented = true)]
[JsonSerializable(typeof(StationConfig))]
internal sealed partial class StationJsonContext : JsonSerializerContext;

public sealed class ConfigJsonTests
{
    [Fact]
    public void Defaults_round_trip_through_source_generated_json()
    {
        var config = StationFixture.ValidConfig();
        config.Board.Tamper = null;
        var json = JsonSerializer.Serialize(config, StationJsonContext.Default.StationConfig);
        var back = JsonSerializer.Deserialize(json, StationJsonContext.Default.StationConfig)!;

        // null means "not fitted" and must be written as null (no WhenWritingNull), or it reads back as the default.
        Assert.Null(back.Board.Tamper);
        Assert.Null(back.EventLog.PersistPath);
        Assert.Equal(json, JsonSerializer.Serialize(back, StationJsonContext.Default.StationConfig));
        Assert.Contains("\"mode\": \"Parallel\"", json, StringComparison.Ordinal);
        Assert.Empty(StationConfigValidator.Validate(back));
    }

    [Fact]
    public void A_file_replaces_default_lists_instead_of_appending_to_them()
    {
        const string json = """
            {
              "relays": [ { "id": "door", "pin": 23, "activeLow": true, "pulseMs": 5000, "maxMs": 8000 } ],
              "buttons": [ { "id": "flat1", "pin": 17, "ringGroup": "flat1" } ],
              "ringGroups": [ { "id": "flat1", "targets": [ "sip:101@pbx" ], "mode": "Sequential", "fallback": [ "sip:desk@pbx" ] } ],
              "board": { "tamper": null, "doorContact": { "pin": 22, "activeLow": false, "pull": "Up" } },
              "codes": [ { "code": "4711", "relay": "door" } ],
              "eventLog": { "persistPath": null }
            }
            """;

        var config = JsonSerializer.Deserialize(json, StationJsonContext.Default.StationConfig)!;

        Assert.Single(config.Relays);
        Assert.True(config.Relays[0].ActiveLow);
        Assert.Equal(RingMode.Sequential, config.RingGroups[0].Mode);
        Assert.Null(config.Board.Tamper);
        Assert.Equal(PinPull.Up, config.Board.DoorContact!.Pull);
        Assert.NotNull(config.Board.ExitButton);
        Assert.Empty(StationConfigValidator.Validate(config));
    }
}

using Intercom.Interop.Tests.Ship;
using Xunit.Abstractions;

namespace Intercom.Security.Tests.Configuration;

/// <summary>
/// MQTT turns each relay's id into one topic level ("door 1" → door_1). Two relays whose ids become the same level
/// would share intercom/relay/door_1/set, so Home Assistant's switch for one would open the other. The published binary
/// refuses such a file before anything runs, naming the field; the same ids with MQTT off are harmless and accepted.
/// </summary>
public sealed class MqttTopicClashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static string Configuration(bool mqtt) => $$"""
        {
          "station": {
            "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ],
            "relays": [ { "id": "door", "pin": 23 }, { "id": "door 1", "pin": 24 }, { "id": "door_1", "pin": 25 } ]
          },
          "mqtt": { "enabled": {{(mqtt ? "true" : "false")}}, "host": "127.0.0.1", "passwordWithoutTls": false }
        }
        """;

    [Fact]
    public async Task Two_relays_on_one_mqtt_topic_are_refused_by_check_config_and_run_naming_the_field()
    {
        var binary = await PublishedStation.BinaryFor(PublishedStation.HostRid);
        var directory = Directory.CreateTempSubdirectory("intercom-topic-clash-").FullName;
        try
        {
            var clash = Path.Combine(directory, "clash.json");
            await File.WriteAllTextAsync(clash, Configuration(mqtt: true));
            var (exitCode, text) = await PublishedStation.RunAsync(binary, ["check-config", clash, "--simulate"], Wait);
            output.WriteLine(text);
            Assert.Equal(2, exitCode);
            Assert.Contains("station.relays[2].id: 'door_1' has the MQTT topic level 'door_1' of station.relays[1]", text, StringComparison.Ordinal);

            // `run` refuses the same file at start: exit 2, nothing energised.
            var (runExit, runText) = await PublishedStation.RunAsync(binary, ["run", "--simulate", "--config", clash], Wait);
            Assert.Equal(2, runExit);
            Assert.DoesNotContain("energised", runText, StringComparison.Ordinal);

            var harmless = Path.Combine(directory, "harmless.json");
            await File.WriteAllTextAsync(harmless, Configuration(mqtt: false));
            var (okExit, okText) = await PublishedStation.RunAsync(binary, ["check-config", harmless, "--simulate"], Wait);
            Assert.True(okExit == 0, okText);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

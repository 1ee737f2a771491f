using System.Text;
using Intercom.Station.Configuration;

namespace Intercom.Configuration.Tests;

/// <summary>
/// Relays and accounts get MQTT topics named after their ids as one topic level ('door 1' → door_1). Two ids that become
/// the same level would share a command topic: found by the config fuzz target (tests/Intercom.Fuzz/findings), where
/// Home Assistant's switch for relay "door_1" opened relay "door 1".
/// </summary>
public sealed class MqttTopicLevelTests
{
    private static IReadOnlyList<ConfigError> Errors(bool mqtt, string relays, string accounts = "[]")
    {
        var json = "{ \"name\": \"Door\""
            + $", \"station\": {{ \"relays\": {relays}, \"doorRelay\": \"door 1\", \"buttons\": [], \"eventLog\": {{ \"persistPath\": null }} }}"
            + $", \"accounts\": {accounts}"
            + $", \"mqtt\": {{ \"enabled\": {(mqtt ? "true" : "false")}, \"host\": \"192.0.2.70\", \"acceptCommands\": true }} }}";
        ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out _, out var errors);
        return errors;
    }

    [Fact]
    public void Relays_whose_ids_share_a_topic_level_are_refused_with_MQTT_on()
    {
        var error = Assert.Single(Errors(mqtt: true, """[ { "id": "door 1", "pin": 23 }, { "id": "door_1", "pin": 24 } ]"""));

        Assert.Equal("station.relays[1].id", error.Path);
        Assert.Contains("'door_1' has the MQTT topic level 'door_1' of station.relays[0] ('door 1')", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_relays_are_fine_without_MQTT()
    {
        Assert.Empty(Errors(mqtt: false, """[ { "id": "door 1", "pin": 23 }, { "id": "door_1", "pin": 24 } ]"""));
    }

    [Fact]
    public void Accounts_whose_ids_share_a_topic_level_are_refused_with_MQTT_on()
    {
        var error = Assert.Single(Errors(mqtt: true, """[ { "id": "door 1", "pin": 23 } ]""",
            """[ { "id": "pbx.a", "aor": "sip:door@192.0.2.10", "register": false }, { "id": "pbx/a", "aor": "sip:door@192.0.2.11", "register": false } ]"""));

        Assert.Equal("accounts[1].id", error.Path);
    }

    [Fact]
    public void Ids_with_distinct_levels_pass()
    {
        Assert.Empty(Errors(mqtt: true, """[ { "id": "door 1", "pin": 23 }, { "id": "door-1", "pin": 24 }, { "id": "Door_1", "pin": 25 } ]"""));
    }

    [Theory]
    [InlineData("door", "door")]
    [InlineData("door 1", "door_1")]
    [InlineData("a/b+c#", "a_b_c_")]
    [InlineData("", "_")]
    [InlineData("tür", "t_r")]
    public void A_level_keeps_letters_digits_dash_and_underscore(string id, string level)
    {
        Assert.Equal(level, MqttTopicLevel.Of(id));
    }
}

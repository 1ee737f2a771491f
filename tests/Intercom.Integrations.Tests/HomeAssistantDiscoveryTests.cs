using System.Text.Json;
using Intercom.Integrations.Mqtt;

namespace Intercom.Integrations.Tests;

public sealed class HomeAssistantDiscoveryTests
{
    private static readonly MqttTopics Topics = new("intercom", "homeassistant", "intercom-front");

    [Fact]
    public void Without_commands_relays_are_read_only_sensors_and_the_command_entities_are_removed()
    {
        var documents = HomeAssistantDiscovery.Build(Topics, "Front", "1.0", ["door"], [], acceptCommands: false);

        var sensor = Assert.Single(documents, d => d.Topic == "homeassistant/binary_sensor/intercom-front/relay_door/config");
        using var json = JsonDocument.Parse(sensor.Payload);
        Assert.False(json.RootElement.TryGetProperty("command_topic", out _));
        Assert.Equal("lock", json.RootElement.GetProperty("device_class").GetString());
        Assert.Equal("", Assert.Single(documents, d => d.Topic == "homeassistant/lock/intercom-front/relay_door/config").Payload);
        Assert.Equal("", Assert.Single(documents, d => d.Topic == "homeassistant/button/intercom-front/hang_up/config").Payload);
        Assert.DoesNotContain(documents, d => d.Payload.Contains("command_topic", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_entity_has_a_unique_id_the_device_and_availability_and_no_nulls()
    {
        var documents = HomeAssistantDiscovery.Build(Topics, "Front", "1.0", ["door", "gate"], ["pbx", "direct"], acceptCommands: true);

        var entities = documents.Where(d => d.Payload.Length > 0).ToList();
        Assert.Equal(10, entities.Count); // doorbell, call state, 2 locks, 2 registrations and their 2 state sensors, hang up, code lockout
        var ids = new HashSet<string>();
        foreach (var entity in entities)
        {
            using var json = JsonDocument.Parse(entity.Payload);
            var root = json.RootElement;
            Assert.True(ids.Add(root.GetProperty("unique_id").GetString()!));
            Assert.Equal("intercom-front", root.GetProperty("device").GetProperty("identifiers")[0].GetString());
            Assert.Equal("intercom/availability", root.GetProperty("availability_topic").GetString());
            Assert.Equal("online", root.GetProperty("payload_available").GetString());
            Assert.Equal("offline", root.GetProperty("payload_not_available").GetString());
            Assert.DoesNotContain("null", entity.Payload, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_relay_that_may_be_held_gets_a_held_open_sensor_and_the_others_have_theirs_removed()
    {
        var documents = HomeAssistantDiscovery.Build(Topics, "Front", "1.0", ["door", "gate"], [], acceptCommands: true, holdableRelays: ["door"]);

        var held = Assert.Single(documents, d => d.Topic == "homeassistant/binary_sensor/intercom-front/relay_door_held/config");
        using var json = JsonDocument.Parse(held.Payload);
        Assert.Equal("intercom/relay/door/held", json.RootElement.GetProperty("state_topic").GetString());
        Assert.Equal("intercom-front_relay_door_held", json.RootElement.GetProperty("unique_id").GetString());
        Assert.Equal("", Assert.Single(documents, d => d.Topic == "homeassistant/binary_sensor/intercom-front/relay_gate_held/config").Payload);
        Assert.Single(documents, d => d.Topic == "homeassistant/lock/intercom-front/relay_door/config" && d.Payload.Contains("\"payload_lock\":\"LOCK\"", StringComparison.Ordinal));
    }
}

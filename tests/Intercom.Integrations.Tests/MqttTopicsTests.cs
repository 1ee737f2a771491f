using Intercom.Integrations.Mqtt;

namespace Intercom.Integrations.Tests;

public sealed class MqttTopicsTests
{
    [Theory]
    [InlineData("door", "door")]
    [InlineData("front-door_2", "front-door_2")]
    [InlineData("a/b", "a_b")]
    [InlineData("#", "_")]
    [InlineData("+", "_")]
    [InlineData("Front door", "Front_door")]
    [InlineData("Tür", "T_r")]
    [InlineData("", "_")]
    public void An_id_becomes_exactly_one_topic_level_without_wildcards(string id, string level) => Assert.Equal(level, MqttTopics.Level(id));

    [Fact]
    public void Topics_sit_under_the_prefix_and_discovery_under_its_own()
    {
        var topics = new MqttTopics("home/intercom", "ha", "intercom front");
        Assert.Equal("home/intercom/availability", topics.Availability);
        Assert.Equal("home/intercom/call_state", topics.CallState);
        Assert.Equal("home/intercom/relay/door", topics.Relay("door"));
        Assert.Equal("home/intercom/registration/pbx", topics.Registration("pbx"));
        Assert.Equal("home/intercom/event/doorbell", topics.Event("doorbell"));
        Assert.Equal("home/intercom/command/+", topics.CommandFilter);
        Assert.Equal("home/intercom/relay/+/set", topics.RelaySetFilter);
        Assert.Equal("ha/lock/intercom_front/relay_door/config", topics.Discovery("lock", "relay_door"));
        Assert.Equal("ha/status", topics.HomeAssistantStatus);
    }
}

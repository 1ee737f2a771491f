using System.Text.RegularExpressions;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;
using MQTTnet;
using MQTTnet.Protocol;

namespace Intercom.Security.Tests.Mqtt;

/// <summary>
/// Issue #21's relay holds through MQTT, as someone on the broker would try them against the published binary: a door
/// relay in the default Pulse mode (a lock that must not stay energised) is sent HOLD, HOLD for a day, and UNLOCK/HOLD on
/// other spellings of its command topic. It is never held: each hold is refused and logged, no other spelling reaches
/// it, and the one legitimate UNLOCK (sent first, to prove commands arrive at all) pulses it once within maxMs.
/// </summary>
public sealed class MqttRelayHoldAttackTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_pulse_relay_is_never_held_whatever_is_published()
    {
        var port = FreePort.Next();
        var directory = Directory.CreateTempSubdirectory("intercom-mqtt-attack-").FullName;
        var config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {port} 127.0.0.1\npersistence false\nallow_anonymous true\nlog_dest stderr\nlog_type all\n");
        await using var broker = PeerProcess.Start("mosquitto", ["-c", config]);
        try
        {
            await broker.WaitForLineAsync(@"mosquitto version .* running", Wait);
            await using var station = await AotStation.StartAsync($$"""
                {
                  "name": "MQTT attack door",
                  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 0 } ] },
                  "audio": { "driver": "null" },
                  "station": {
                    "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1:9" ] } ],
                    "relays": [ { "id": "door", "pin": 23, "pulseMs": 300, "maxMs": 1000 } ],
                    "eventLog": { "persistPath": null }
                  },
                  "mqtt": { "enabled": true, "host": "127.0.0.1", "port": {{port}}, "acceptCommands": true, "homeAssistantDiscovery": false }
                }
                """);
            await station.WaitForLineAsync("mqtt: connected", Wait);
            // The subscription follows the connection: wait for the broker to have it before anything is sent.
            await broker.WaitForLineAsync(@"intercom/relay/\+/set|intercom/#|intercom/relay/door/set", Wait);

            var client = new MqttClientFactory().CreateMqttClient();
            using var timeout = new CancellationTokenSource(Wait);
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("attacker").Build(), timeout.Token);
            async Task Publish(string topic, string payload) => await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), timeout.Token);

            // One legitimate command: it pulses the door once, so the ones below did arrive where commands arrive.
            await Publish("intercom/relay/door/set", "UNLOCK");
            await station.WaitForLineAsync(@"Relay: door released", Wait);
            Assert.Equal(1, station.DoorOpenings());

            await Publish("intercom/relay/door/set", "HOLD");
            await Publish("intercom/relay/door/set", "HOLD 1440");
            await Publish("intercom/relay/door/command/hold", "");
            await Publish("intercom/relay/DOOR/set", "UNLOCK");
            await Publish("intercom/relay/door/set/", "HOLD");
            await Publish("intercom/relay/door%2Fset", "UNLOCK");
            await Publish("intercom/Relay/door/set", "UNLOCK");
            await client.DisconnectAsync(cancellationToken: timeout.Token);

            // Each hold on the real topics is refused and logged; nothing of the rest reaches the relay.
            const string Refused = @"mqtt: command on intercom/relay/door/(set|command/hold) refused|door: hold by .* refused";
            await station.WaitForLineAsync(Refused, Wait);
            await station.WaitForLineAsync(Refused, Wait, skip: 1);
            await station.WaitForLineAsync(@"mqtt: command on intercom/relay/DOOR/set refused: not a command topic", Wait);
            Assert.Equal(1, station.DoorOpenings());
            Assert.Equal(0, station.Count(@"relay_held|door: held open|held by"));
            Assert.DoesNotMatch(new Regex("Relay: door energised[^\n]*$"), station.Tail(1));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

using Intercom.Configuration;

namespace Intercom.Integrations.Mqtt;

/// <summary>
/// Every topic the station publishes to or listens on, under one prefix:
/// <code>
/// PREFIX/availability              online | offline (retained; "offline" is also the last will)
/// PREFIX/call_state                idle | calling | in_call (retained)
/// PREFIX/relay/ID                  ON | OFF (retained)
/// PREFIX/registration/ACCOUNT      registered | not_registered (retained)
/// PREFIX/registration/ACCOUNT/state  unregistered | registering | registered | retrying | ... (retained)
/// PREFIX/event/NAME                JSON event (not retained)
/// PREFIX/relay/ID/held             ON | OFF: held open on purpose (retained)
/// PREFIX/door_contact              ON (door open) | OFF; PREFIX/door_held_open, PREFIX/door_forced_open, PREFIX/tamper,
/// PREFIX/keypad_lockout, PREFIX/code_lockout: ON | OFF (retained)
/// PREFIX/command/open              payload: relay id (empty: the door relay)
/// PREFIX/command/hold              payload: relay id, optionally a space and minutes (empty: the door relay, until released)
/// PREFIX/command/release           payload: relay id (empty: the door relay)
/// PREFIX/command/hangup
/// PREFIX/command/dial              payload: ring group id, SIP URI or extension
/// PREFIX/relay/ID/set              OPEN | ON | PRESS pulse; UNLOCK holds (mode Hold) or pulses; LOCK | OFF release;
///                                  HOLD [MINUTES] holds (Home Assistant's lock)
/// </code>
/// Ids become single topic levels: characters other than letters, digits, '-' and '_' are replaced by '_' so that an id
/// can never add a level or a wildcard (MQTT 3.1.1 §4.7.1).
/// </summary>
public sealed class MqttTopics
{
    public MqttTopics(string prefix, string discoveryPrefix, string nodeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentException.ThrowIfNullOrEmpty(discoveryPrefix);
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        Prefix = prefix;
        DiscoveryPrefix = discoveryPrefix;
        NodeId = Level(nodeId);
    }

    public string Prefix { get; }

    public string DiscoveryPrefix { get; }

    /// <summary>Home Assistant's node id and the start of every unique_id: the client id made topic-safe.</summary>
    public string NodeId { get; }

    public string Availability => Prefix + "/availability";

    public string CallState => Prefix + "/call_state";

    public string CommandFilter => Prefix + "/command/+";

    public string RelaySetFilter => Prefix + "/relay/+/set";

    public string CommandOpen => Prefix + "/command/open";

    public string CommandHold => Prefix + "/command/hold";

    public string CommandRelease => Prefix + "/command/release";

    public string CommandHangUp => Prefix + "/command/hangup";

    public string CommandDial => Prefix + "/command/dial";

    /// <summary>Home Assistant publishes "online" here when it starts; discovery is then sent again.</summary>
    public string HomeAssistantStatus => DiscoveryPrefix + "/status";

    public string Relay(string relayId) => $"{Prefix}/relay/{Level(relayId)}";

    public string RelaySet(string relayId) => $"{Prefix}/relay/{Level(relayId)}/set";

    public string RelayHeld(string relayId) => $"{Prefix}/relay/{Level(relayId)}/held";

    /// <summary>An input's state topic (<see cref="StationFeed.InputNames"/>): PREFIX/NAME.</summary>
    public string Input(string name) => $"{Prefix}/{name}";

    public string Registration(string accountId) => $"{Prefix}/registration/{Level(accountId)}";

    public string RegistrationState(string accountId) => $"{Prefix}/registration/{Level(accountId)}/state";

    public string Event(string name) => $"{Prefix}/event/{name}";

    /// <summary>Home Assistant MQTT discovery: DISCOVERY/COMPONENT/NODE/OBJECT/config.</summary>
    public string Discovery(string component, string objectId) => $"{DiscoveryPrefix}/{component}/{NodeId}/{Level(objectId)}/config";

    /// <summary>The relay a PREFIX/relay/ID/set topic names, if it is one of <paramref name="relayIds"/>.</summary>
    public bool TryParseRelaySet(string topic, IReadOnlyList<string> relayIds, out string relayId)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(relayIds);
        foreach (var id in relayIds)
        {
            if (string.Equals(topic, RelaySet(id), StringComparison.Ordinal))
            {
                relayId = id;
                return true;
            }
        }

        relayId = "";
        return false;
    }

    /// <summary>An id as one topic level: letters, digits, '-' and '_' kept, anything else '_' (the validator's rule).</summary>
    public static string Level(string id) => MqttTopicLevel.Of(id);
}

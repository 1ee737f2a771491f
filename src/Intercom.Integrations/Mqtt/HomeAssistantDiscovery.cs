using System.Text.Json;
using Intercom.Configuration;

namespace Intercom.Integrations.Mqtt;

/// <summary>
/// Home Assistant MQTT discovery documents for the station: a doorbell event entity, a lock per relay (a read-only
/// binary sensor when commands are off) and a "held open" sensor per relay that may be held, a call-state sensor, a connectivity sensor and a registration-state sensor per registering account and a
/// hang-up button, all under one device and following the station's availability topic.
/// </summary>
public static class HomeAssistantDiscovery
{
    /// <summary>Values of PREFIX/call_state, in the order of <see cref="Station.StationCallState"/>.</summary>
    public static IReadOnlyList<string> CallStates { get; } = ["idle", "calling", "in_call"];

    /// <summary>The documents to publish (retained); entities that do not apply are removed with an empty payload.</summary>
    /// <param name="topics">The station's topics.</param>
    /// <param name="stationName">The device's name.</param>
    /// <param name="version">Firmware version.</param>
    /// <param name="relayIds">Every relay.</param>
    /// <param name="accountIds">The accounts that register.</param>
    /// <param name="acceptCommands">Commands on: locks and buttons, else read-only sensors.</param>
    /// <param name="holdableRelays">Relays that may be held open (relays[].mode Hold): each gets a "held open" sensor, and its lock's unlock holds it.</param>
    public static IReadOnlyList<DiscoveryDocument> Build(MqttTopics topics, string stationName, string version,
        IReadOnlyList<string> relayIds, IReadOnlyList<string> accountIds, bool acceptCommands, IReadOnlyCollection<string>? holdableRelays = null,
        Station.StationInputs? inputs = null)
    {
        holdableRelays ??= [];
        inputs ??= new Station.StationInputs(DoorContact: false, ExitButton: false, Tamper: false, Keypad: false);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(relayIds);
        ArgumentNullException.ThrowIfNull(accountIds);
        var node = topics.NodeId;
        var device = new HomeAssistantDevice { Identifiers = [node], Name = stationName, SwVersion = version };
        var origin = new HomeAssistantOrigin { SwVersion = version };
        var documents = new List<DiscoveryDocument>();

        Add("event", "doorbell", new HomeAssistantEntity
        {
            Name = "Doorbell",
            UniqueId = $"{node}_doorbell",
            StateTopic = topics.Event(IntegrationEventNames.Doorbell),
            DeviceClass = "doorbell",
            EventTypes = [IntegrationEventNames.Doorbell],
        });

        Add("sensor", "call_state", new HomeAssistantEntity
        {
            Name = "Call state",
            UniqueId = $"{node}_call_state",
            StateTopic = topics.CallState,
            DeviceClass = "enum",
            Options = CallStates,
            Icon = "mdi:phone-classic",
        });

        foreach (var relay in relayIds)
        {
            var objectId = "relay_" + relay;
            if (holdableRelays.Contains(relay))
            {
                Add("binary_sensor", objectId + "_held", new HomeAssistantEntity
                {
                    Name = $"Relay {relay} held open",
                    UniqueId = $"{node}_relay_{MqttTopics.Level(relay)}_held",
                    StateTopic = topics.RelayHeld(relay),
                    // binary_sensor "lock": on means unlocked; held open on purpose, not a pulse.
                    DeviceClass = "lock",
                    Icon = "mdi:door-open",
                    PayloadOn = StationMqttBridge.RelayOn,
                    PayloadOff = StationMqttBridge.RelayOff,
                });
            }
            else
            {
                Remove("binary_sensor", objectId + "_held");
            }

            if (acceptCommands)
            {
                // Unlocked while energised. UNLOCK holds a relay that may be held (LOCK releases it) and pulses one that may
                // not (it locks again by itself at the pulse end; LOCK cuts the pulse short); OPEN always pulses.
                Add("lock", objectId, new HomeAssistantEntity
                {
                    Name = $"Relay {relay}",
                    UniqueId = $"{node}_relay_{MqttTopics.Level(relay)}",
                    StateTopic = topics.Relay(relay),
                    CommandTopic = topics.RelaySet(relay),
                    StateLocked = StationMqttBridge.RelayOff,
                    StateUnlocked = StationMqttBridge.RelayOn,
                    PayloadLock = "LOCK",
                    PayloadUnlock = "UNLOCK",
                    PayloadOpen = "OPEN",
                });
                Remove("binary_sensor", objectId);
            }
            else
            {
                Add("binary_sensor", objectId, new HomeAssistantEntity
                {
                    Name = $"Relay {relay}",
                    UniqueId = $"{node}_relay_{MqttTopics.Level(relay)}",
                    StateTopic = topics.Relay(relay),
                    DeviceClass = "lock",
                    // binary_sensor "lock": on means unlocked.
                    PayloadOn = StationMqttBridge.RelayOn,
                    PayloadOff = StationMqttBridge.RelayOff,
                });
                Remove("lock", objectId);
            }
        }

        // The inputs: a binary sensor per state (on: open, held open, forced, tamper, locked out), the exit button an event.
        Input(inputs.DoorContact, StationFeed.DoorContact, "Door", "door", null);
        Input(inputs.DoorContact, StationFeed.DoorHeldOpen, "Door held open", "problem", "mdi:door-open");
        Input(inputs.DoorContact, StationFeed.DoorForcedOpen, "Door forced open", "safety", "mdi:door-open");
        Input(inputs.Tamper, StationFeed.Tamper, "Tamper", "tamper", null);
        Input(inputs.Keypad, StationFeed.KeypadLockout, "Keypad locked out", "problem", "mdi:dialpad");
        Input(true, StationFeed.CodeLockout, "Code entry locked out", "problem", "mdi:lock-alert");
        if (inputs.ExitButton)
        {
            Add("event", "exit_button", new HomeAssistantEntity
            {
                Name = "Exit button",
                UniqueId = $"{node}_exit_button",
                StateTopic = topics.Event(IntegrationEventNames.ExitButton),
                DeviceClass = "button",
                EventTypes = [IntegrationEventNames.ExitButton],
            });
        }
        else
        {
            Remove("event", "exit_button");
        }

        foreach (var account in accountIds)
        {
            Add("binary_sensor", "registration_" + account, new HomeAssistantEntity
            {
                Name = $"SIP registration {account}",
                UniqueId = $"{node}_registration_{MqttTopics.Level(account)}",
                StateTopic = topics.Registration(account),
                DeviceClass = "connectivity",
                EntityCategory = "diagnostic",
                PayloadOn = StationMqttBridge.Registered,
                PayloadOff = StationMqttBridge.NotRegistered,
            });
            Add("sensor", "registration_state_" + account, new HomeAssistantEntity
            {
                Name = $"SIP registration state {account}",
                UniqueId = $"{node}_registration_state_{MqttTopics.Level(account)}",
                StateTopic = topics.RegistrationState(account),
                DeviceClass = "enum",
                Options = RegistrationStates.All,
                EntityCategory = "diagnostic",
                Icon = "mdi:phone-check",
            });
        }

        if (acceptCommands)
        {
            Add("button", "hang_up", new HomeAssistantEntity
            {
                Name = "Hang up",
                UniqueId = $"{node}_hang_up",
                CommandTopic = topics.CommandHangUp,
                PayloadPress = "hangup",
                Icon = "mdi:phone-hangup",
            });
        }
        else
        {
            Remove("button", "hang_up");
        }

        return documents;

        void Add(string component, string objectId, HomeAssistantEntity entity)
        {
            entity.Device = device;
            entity.Origin = origin;
            entity.AvailabilityTopic = topics.Availability;
            documents.Add(new DiscoveryDocument(topics.Discovery(component, objectId),
                JsonSerializer.Serialize(entity, IntegrationsJsonContext.Default.HomeAssistantEntity)));
        }

        void Input(bool fitted, string name, string title, string deviceClass, string? icon)
        {
            if (!fitted)
            {
                Remove("binary_sensor", name);
                return;
            }

            Add("binary_sensor", name, new HomeAssistantEntity
            {
                Name = title,
                UniqueId = $"{node}_{name}",
                StateTopic = topics.Input(name),
                DeviceClass = deviceClass,
                Icon = icon,
                PayloadOn = StationMqttBridge.RelayOn,
                PayloadOff = StationMqttBridge.RelayOff,
            });
        }

        void Remove(string component, string objectId) => documents.Add(new DiscoveryDocument(topics.Discovery(component, objectId), ""));
    }
}

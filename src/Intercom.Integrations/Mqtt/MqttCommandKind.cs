namespace Intercom.Integrations.Mqtt;

/// <summary>What an MQTT command asks of the station.</summary>
public enum MqttCommandKind
{
    /// <summary>Pulse a relay (open the door).</summary>
    OpenRelay,

    /// <summary>End the current call.</summary>
    HangUp,

    /// <summary>Ring a ring group, a SIP URI or an extension.</summary>
    Dial,

    /// <summary>Home Assistant's unlock: hold a relay that may be held (relays[].mode Hold), pulse one that may not.</summary>
    UnlockRelay,

    /// <summary>Hold a relay open (mode Hold only): until released, or for <see cref="MqttCommand.Minutes"/>.</summary>
    HoldRelay,

    /// <summary>Release a relay now: end its hold, or cut its pulse short (Home Assistant's lock).</summary>
    ReleaseRelay,
}

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
}

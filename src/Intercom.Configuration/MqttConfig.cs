namespace Intercom.Configuration;

/// <summary>
/// The MQTT connection (MQTT 3.1.1): the station publishes its state (retained) and events (not retained) under
/// <see cref="TopicPrefix"/>, announces itself to Home Assistant by MQTT discovery, and takes commands when
/// <see cref="AcceptCommands"/> is on. Off unless <see cref="Enabled"/>.
/// </summary>
public sealed class MqttConfig
{
    public bool Enabled { get; set; }

    /// <summary>Broker host name or address.</summary>
    public string Host { get; set; } = "";

    /// <summary>Broker port; 0 means the protocol default (1883, or 8883 with TLS).</summary>
    public int Port { get; set; }

    /// <summary>MQTT client identifier; empty means "intercom-" and the station's name.</summary>
    public string? ClientId { get; set; }

    public string? Username { get; set; }

    /// <summary>Broker password. Write-only: never logged, never returned by the API.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Send <see cref="Password"/> to a broker without TLS. Off by default: MQTT's CONNECT carries the password in clear
    /// (MQTT 3.1.1 §3.1.3.5), so a password without TLS is refused unless this says the network is trusted with it.
    /// </summary>
    public bool PasswordWithoutTls { get; set; }

    /// <summary>First levels of every topic the station uses, e.g. "intercom/front-door". No wildcards.</summary>
    public string TopicPrefix { get; set; } = "intercom";

    /// <summary>
    /// Act on commands published to PREFIX/command/... and PREFIX/relay/ID/set (open a relay, hang up, dial). Off by
    /// default: whoever may publish there opens the door, so turn it on only with broker credentials and an ACL.
    /// </summary>
    public bool AcceptCommands { get; set; }

    /// <summary>Publish Home Assistant MQTT discovery documents (retained) under <see cref="DiscoveryPrefix"/>.</summary>
    public bool HomeAssistantDiscovery { get; set; } = true;

    /// <summary>Home Assistant's discovery prefix (its default is "homeassistant").</summary>
    public string DiscoveryPrefix { get; set; } = "homeassistant";

    /// <summary>MQTT keep-alive (MQTT 3.1.1 §3.1.2.10): the broker drops us and publishes the will after 1.5 times this.</summary>
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>First reconnect delay; it doubles after each failed attempt up to <see cref="ReconnectMaxSeconds"/>.</summary>
    public int ReconnectMinSeconds { get; set; } = 1;

    public int ReconnectMaxSeconds { get; set; } = 60;

    /// <summary>Messages waiting for the broker; beyond this new ones are dropped (and counted), the station never waits.</summary>
    public int QueueCapacity { get; set; } = 256;

    public MqttTlsConfig Tls { get; set; } = new();
}

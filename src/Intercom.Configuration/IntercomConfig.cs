using Intercom.Station.Configuration;
namespace Intercom.Configuration;

/// <summary>
/// The whole station configuration: one JSON file (default /etc/intercom/intercom.json).
/// Sections are plain classes so System.Text.Json source generation can read and write them without reflection.
/// </summary>
public sealed class IntercomConfig
{
    /// <summary>Name shown on the web page and used as the SIP display name.</summary>
    public string Name { get; set; } = "Intercom";

    public SipConfig Sip { get; set; } = new();

    /// <summary>SIP accounts; a station often registers to a PBX and also takes direct IP calls.</summary>
    public List<SipAccountConfig> Accounts { get; set; } = [];

    public MediaConfig Media { get; set; } = new();

    /// <summary>The microphone and speaker: devices, rate, echo control, gains.</summary>
    public AudioConfig Audio { get; set; } = new();

    /// <summary>The door station itself: board pins, relays, buttons, ring groups, codes, incoming calls, event log.</summary>
    public StationConfig Station { get; set; } = new();

    /// <summary>MQTT publishing, commands and Home Assistant discovery.</summary>
    public MqttConfig Mqtt { get; set; } = new();

    /// <summary>JSON POSTs to other systems on chosen events.</summary>
    public WebhooksConfig Webhooks { get; set; } = new();

    /// <summary>The web page and HTTP API.</summary>
    public WebConfig Web { get; set; } = new();
}

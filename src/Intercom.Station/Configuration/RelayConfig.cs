namespace Intercom.Station.Configuration;

/// <summary>One relay output.</summary>
public sealed class RelayConfig
{
    /// <summary>Id used by codes, the API and the log ("door", "gate", "light").</summary>
    public string Id { get; set; } = "";

    /// <summary>BCM GPIO number.</summary>
    public int Pin { get; set; }

    /// <summary>True for low-level-trigger relay modules.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>How long one open command energises the relay, in milliseconds.</summary>
    public int PulseMs { get; set; } = 3000;

    /// <summary>Hard limit of one energised period in milliseconds, however often open is repeated (not of a hold).</summary>
    public int MaxMs { get; set; } = 10000;

    /// <summary>
    /// <see cref="RelayMode.Pulse"/> (default): only ever pulsed. <see cref="RelayMode.Hold"/>: may also be held open
    /// (the API, MQTT, Home Assistant's unlock, schedules); only for a lock or strike rated for continuous duty. Read at
    /// start like the relay's pin; a change away from Hold (or removing the relay) ends a hold as soon as it is applied.
    /// </summary>
    public RelayMode Mode { get; set; } = RelayMode.Pulse;
}

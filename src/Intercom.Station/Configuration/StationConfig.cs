namespace Intercom.Station.Configuration;

/// <summary>
/// The door-station part of the configuration file. Plain settable properties with working defaults (the default
/// pin map, three relays, one button), so the app embeds it in its JSON and System.Text.Json's source generator
/// reads it without reflection (enums as strings: set UseStringEnumConverter on the app's JsonSerializerContext).
/// A null optional part (exit button, door contact, tamper, an LED, the keypad, the event log path) means "not
/// fitted": write nulls (do not use JsonIgnoreCondition.WhenWritingNull), or they read back as the defaults.
/// Validate with <see cref="StationConfigValidator"/> before use.
/// </summary>
public sealed class StationConfig
{
    /// <summary>Pins of the fixed inputs, LEDs and keypad.</summary>
    public BoardConfig Board { get; set; } = new();

    /// <summary>Relay outputs.</summary>
    public List<RelayConfig> Relays { get; set; } =
    [
        new() { Id = "door", Pin = DefaultPinMap.DoorRelay, PulseMs = 3000, MaxMs = 10000 },
        new() { Id = "gate", Pin = DefaultPinMap.GateRelay, PulseMs = 1000, MaxMs = 5000 },
        new() { Id = "light", Pin = DefaultPinMap.LightRelay, PulseMs = 60000, MaxMs = 300000 },
    ];

    /// <summary>The relay the exit button opens and the door-open LED follows.</summary>
    public string DoorRelay { get; set; } = "door";

    /// <summary>
    /// Seconds after a code, the web page, the API or MQTT opened a door during a connected call before the station ends
    /// the call (the confirmation tone plays at the opening, so the resident and the visitor hear the door open first).
    /// A code's own <see cref="CodeConfig.HangUpAfterSeconds"/> takes precedence; the page, the API and MQTT count only
    /// when they open <see cref="DoorRelay"/>. Null or 0: the call goes on until someone hangs up.
    /// </summary>
    public int? HangUpAfterOpenSeconds { get; set; }

    /// <summary>Call buttons.</summary>
    public List<ButtonConfig> Buttons { get; set; } =
    [
        new() { Id = "button1", Pin = DefaultPinMap.CallButton, RingGroup = "residents" },
    ];

    /// <summary>Whom the buttons call.</summary>
    public List<RingGroupConfig> RingGroups { get; set; } =
    [
        new() { Id = "residents" },
    ];

    /// <summary>Weekly windows buttons use to choose another ring group.</summary>
    public List<ScheduleConfig> Schedules { get; set; } = [];

    /// <summary>DTMF codes keyed by a resident during a call, or by an allowlisted caller.</summary>
    public List<CodeConfig> Codes { get; set; } = [];

    /// <summary>Limits on wrong codes.</summary>
    public CodeLockConfig CodeLock { get; set; } = new();

    /// <summary>Calls to the station.</summary>
    public IncomingConfig Incoming { get; set; } = new();

    /// <summary>What the keypad does (its wiring is <see cref="BoardConfig.Keypad"/>).</summary>
    public KeypadConfig Keypad { get; set; } = new();

    /// <summary>The event log.</summary>
    public EventLogConfig EventLog { get; set; } = new();
}

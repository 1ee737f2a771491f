namespace Intercom.Configuration;

/// <summary>
/// The event kinds the station publishes to home automation (MQTT topics PREFIX/event/NAME, webhook "event_type"),
/// named here so the configuration can be checked without the integrations themselves.
/// </summary>
public static class IntegrationEventNames
{
    public const string Doorbell = "doorbell";
    public const string CallStarted = "call_started";
    public const string CallAnswered = "call_answered";
    public const string CallEnded = "call_ended";
    public const string DoorOpened = "door_opened";
    public const string RelayHeld = "relay_held";
    public const string RelayReleased = "relay_released";
    public const string CodeAccepted = "code_accepted";
    public const string CodeRefused = "code_refused";
    public const string Lockout = "lockout";
    public const string LockoutEnded = "lockout_ended";
    public const string DoorContactOpened = "door_contact_opened";
    public const string DoorContactClosed = "door_contact_closed";
    public const string DoorHeldOpen = "door_held_open";
    public const string DoorForcedOpen = "door_forced_open";
    public const string ExitButton = "exit_button";
    public const string Tamper = "tamper";
    public const string Registration = "registration";

    /// <summary>Every name, in the order the README lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Doorbell, CallStarted, CallAnswered, CallEnded, DoorOpened, RelayHeld, RelayReleased, CodeAccepted, CodeRefused, Lockout, LockoutEnded,
            DoorContactOpened, DoorContactClosed, DoorHeldOpen, DoorForcedOpen, ExitButton, Tamper, Registration];
}

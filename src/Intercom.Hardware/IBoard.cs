namespace Intercom.Hardware;

/// <summary>
/// The door station's I/O: buttons, contacts and keypad in; relays and status LEDs out. Implemented by
/// <see cref="GpioBoard"/> on a Raspberry Pi and by <see cref="SimulatedBoard"/> everywhere else.
/// Events are raised on whatever thread saw the change (GPIO event thread, timer thread); subscribers that own
/// state post them to their own loop.
/// </summary>
public interface IBoard : IDisposable
{
    /// <summary>A button gesture or a contact change.</summary>
    event EventHandler<BoardInputEventArgs>? InputChanged;

    /// <summary>A keypad key was pressed.</summary>
    event EventHandler<KeypadKeyEventArgs>? KeyPressed;

    /// <summary>A relay was energised or released (including at its pulse end and by <see cref="ReleaseAll"/>).</summary>
    event EventHandler<RelayChangedEventArgs>? RelayChanged;

    /// <summary>The door contact has stayed open longer than the layout's limit.</summary>
    event EventHandler? DoorHeldOpen;

    /// <summary>The ids of the relays, in layout order.</summary>
    IReadOnlyList<string> RelayIds { get; }

    /// <summary>True while the door contact reports the door open (false when no contact is fitted).</summary>
    bool IsDoorOpen { get; }

    /// <summary>True while the tamper switch is active.</summary>
    bool IsTamperActive { get; }

    /// <summary>
    /// True while an input reads active at this instant (a button held down, a contact active): the pin's level read now,
    /// with the input's configured polarity, whatever gestures were or were not reported for it. False for an input the
    /// layout does not have. The physical reset asks it of the exit button (StartupHold).
    /// </summary>
    bool IsInputActive(InputKind kind, string inputId);

    /// <summary>Energises a relay for its pulse time (or <paramref name="duration"/>), never beyond its maximum.</summary>
    /// <returns>False when the relay is unknown or refused the command (resting after a cut-off).</returns>
    bool OpenRelay(string relayId, TimeSpan? duration = null);

    /// <summary>True while the relay is energised.</summary>
    bool IsRelayEnergised(string relayId);

    /// <summary>
    /// Energises a relay and keeps it energised past its maximum — the one energising the maximum does not bound — until
    /// <see cref="ReleaseRelay"/>, <see cref="ReleaseAll"/> or dispose (<paramref name="duration"/> null), or for
    /// <paramref name="duration"/>. Holding a held relay again replaces its end. Only for relays meant to stay open
    /// (the station checks their configured mode); every release path ends a hold.
    /// </summary>
    /// <returns>False when the relay is unknown, the board disposed or the duration not positive.</returns>
    bool HoldRelay(string relayId, TimeSpan? duration = null);

    /// <summary>Drives one relay inactive now, ending a hold or a pulse.</summary>
    /// <returns>False when the relay is unknown.</returns>
    bool ReleaseRelay(string relayId);

    /// <summary>True while the relay is held (<see cref="HoldRelay"/>), not merely pulsed.</summary>
    bool IsRelayHeld(string relayId);

    /// <summary>Shows a status on an LED (ignored when that LED is not fitted).</summary>
    void SetLed(StatusLedKind led, LedState state);

    /// <summary>The state last set for an LED.</summary>
    LedState GetLed(StatusLedKind led);

    /// <summary>
    /// Drives every relay to its inactive level now. Safe to call from any thread at any time, repeatedly, and after
    /// dispose: the app calls it from AppDomain.ProcessExit and its SIGTERM handler so no exit path leaves a door open.
    /// </summary>
    void ReleaseAll();
}

namespace Intercom.Hardware;

/// <summary>
/// The board without pins, for development machines, the demo and tests: the web page or a test presses its
/// buttons by method calls; relay and LED levels are recorded with timestamps from the board's TimeProvider.
/// Relay timing is the same code as on <see cref="GpioBoard"/>.
/// </summary>
public sealed class SimulatedBoard : BoardBase
{
    private const int MaxTransitions = 1024;

    private readonly Lock _gate = new();
    private readonly List<RelayTransition> _transitions = [];
    private readonly bool[] _ledLit = new bool[Enum.GetValues<StatusLedKind>().Length];
    private readonly HashSet<(InputKind Kind, string Id)> _held = [];

    /// <summary>Builds a simulated board with the relays of <paramref name="layout"/>.</summary>
    public SimulatedBoard(BoardLayout layout, TimeProvider time)
        : base(layout, time)
    {
        foreach (var relay in layout.Relays)
        {
            AddRelay(relay, new Line(this, relay.Id));
        }
    }

    /// <summary>Every relay level driven, oldest first (the last 1024). The first entries are the release at start.</summary>
    public IReadOnlyList<RelayTransition> RelayTransitions
    {
        get { lock (_gate) { return [.. _transitions]; } }
    }

    /// <summary>True while an LED is lit at this instant (a blinking LED alternates).</summary>
    public bool IsLedLit(StatusLedKind led)
    {
        lock (_gate)
        {
            return (uint)led < (uint)_ledLit.Length && _ledLit[(int)led];
        }
    }

    /// <summary>A visitor presses (and releases) a call button.</summary>
    public void PressButton(string buttonId, InputGesture gesture = InputGesture.Pressed) => OnInput(InputKind.CallButton, buttonId, gesture);

    /// <summary>Someone inside presses the exit button.</summary>
    public void PressExitButton() => OnInput(InputKind.ExitButton, "exit", InputGesture.Pressed);

    /// <summary>The door contact opens (true) or closes (false).</summary>
    public void SetDoorOpen(bool open) => OnInput(InputKind.DoorContact, "door", open ? InputGesture.Activated : InputGesture.Deactivated);

    /// <summary>The tamper switch triggers (true) or clears (false).</summary>
    public void SetTamper(bool active) => OnInput(InputKind.Tamper, "tamper", active ? InputGesture.Activated : InputGesture.Deactivated);

    /// <summary>A keypad key is pressed.</summary>
    public void PressKey(char key) => OnKey(key);

    /// <summary>
    /// Holds an input down (a button kept pressed) until <see cref="ReleaseInput"/>: a level only, no gesture, now or at
    /// the release, as <see cref="GpioBoard"/> reports a press that began before the station started.
    /// <see cref="IsInputActive"/> reads it. `intercom run --simulate --simulate-held exit` holds the exit button this way
    /// from the start (the physical reset; docs/security.md).
    /// </summary>
    public void HoldInput(InputKind kind, string inputId)
    {
        lock (_gate)
        {
            _held.Add((kind, inputId));
        }
    }

    /// <summary>Lets go of an input held by <see cref="HoldInput"/>.</summary>
    public void ReleaseInput(InputKind kind, string inputId)
    {
        lock (_gate)
        {
            _held.Remove((kind, inputId));
        }
    }

    /// <summary>From the simulated state: held (<see cref="HoldInput"/>), the door open, the tamper switch active.</summary>
    public override bool IsInputActive(InputKind kind, string inputId)
    {
        if (FindInput(kind, inputId) is null || IsDisposed)
        {
            return false;
        }

        lock (_gate)
        {
            if (_held.Contains((kind, inputId)))
            {
                return true;
            }
        }

        return kind switch
        {
            InputKind.DoorContact => IsDoorOpen,
            InputKind.Tamper => IsTamperActive,
            _ => false,
        };
    }

    private protected override void DriveLed(StatusLedKind led, bool lit)
    {
        lock (_gate)
        {
            if ((uint)led < (uint)_ledLit.Length)
            {
                _ledLit[(int)led] = lit;
            }
        }
    }

    private void Record(string relayId, bool energised)
    {
        lock (_gate)
        {
            if (_transitions.Count == MaxTransitions)
            {
                _transitions.RemoveAt(0);
            }

            _transitions.Add(new RelayTransition(relayId, energised, Time.GetUtcNow()));
        }
    }

    private sealed class Line(SimulatedBoard board, string relayId) : IRelayLine
    {
        public void Drive(bool energised) => board.Record(relayId, energised);
    }
}

using Intercom.Hardware;

namespace Intercom.Station.Configuration;

/// <summary>Maps the station's configuration to the hardware description a board is built from.</summary>
public static class BoardLayoutBuilder
{
    /// <summary>Input ids of the single inputs, as the board reports them.</summary>
    public const string ExitButtonId = "exit";

    /// <summary>Id of the door contact input.</summary>
    public const string DoorContactId = "door";

    /// <summary>Id of the tamper input.</summary>
    public const string TamperId = "tamper";

    /// <summary>Builds the <see cref="BoardLayout"/> for a validated configuration.</summary>
    public static BoardLayout Build(StationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var board = config.Board ?? new BoardConfig();
        var defaultDebounce = TimeSpan.FromMilliseconds(board.DebounceMs);
        TimeSpan Debounce(int? ms) => ms is { } value ? TimeSpan.FromMilliseconds(value) : defaultDebounce;

        var inputs = new List<InputPinLayout>();
        foreach (var button in config.Buttons)
        {
            inputs.Add(new(InputKind.CallButton, button.Id, button.Pin, button.ActiveLow, button.Pull, Debounce(button.DebounceMs)));
        }

        void AddSingle(InputConfig? input, InputKind kind, string id)
        {
            if (input is not null)
            {
                inputs.Add(new(kind, id, input.Pin, input.ActiveLow, input.Pull, Debounce(input.DebounceMs)));
            }
        }

        AddSingle(board.ExitButton, InputKind.ExitButton, ExitButtonId);
        AddSingle(board.DoorContact, InputKind.DoorContact, DoorContactId);
        AddSingle(board.Tamper, InputKind.Tamper, TamperId);

        var relays = new List<RelayLayout>();
        foreach (var relay in config.Relays)
        {
            relays.Add(new(relay.Id, relay.Pin, relay.ActiveLow, TimeSpan.FromMilliseconds(relay.PulseMs), TimeSpan.FromMilliseconds(relay.MaxMs)));
        }

        var leds = new List<LedLayout>();
        var ledConfig = board.Leds ?? new LedsConfig();
        foreach (var (kind, led) in new[]
        {
            (StatusLedKind.Registered, ledConfig.Registered), (StatusLedKind.Calling, ledConfig.Calling),
            (StatusLedKind.InCall, ledConfig.InCall), (StatusLedKind.DoorOpen, ledConfig.DoorOpen), (StatusLedKind.Fault, ledConfig.Fault),
        })
        {
            if (led is not null)
            {
                leds.Add(new(kind, led.Pin, led.ActiveLow));
            }
        }

        return new BoardLayout
        {
            Inputs = inputs,
            Relays = relays,
            Leds = leds,
            Keypad = board.Keypad is { } k ? new KeypadLayout([.. k.Rows], [.. k.Columns], k.Keys, TimeSpan.FromMilliseconds(k.ScanIntervalMs)) : null,
            DoorHeldOpenLimit = TimeSpan.FromSeconds(board.DoorHeldOpenSeconds),
            DoublePressWindow = TimeSpan.FromMilliseconds(board.DoublePressMs),
            LongPressTime = TimeSpan.FromMilliseconds(board.LongPressMs),
        };
    }
}

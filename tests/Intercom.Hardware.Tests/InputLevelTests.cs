using Microsoft.Extensions.Time.Testing;
using System.Device.Gpio;

namespace Intercom.Hardware.Tests;

/// <summary>
/// IBoard.IsInputActive, the level an input reads now (the physical reset's question), and the rule that a press begun
/// before the board opened its pin reports nothing, not even when it ends (letting go after a reset opens no door).
/// </summary>
public sealed class InputLevelTests : IDisposable
{
    private const int ExitPin = 27;
    private const int ButtonPin = 17;
    private const int DoorPin = 22;
    private const int StrikePin = 23;

    private readonly TestGpioDriver _driver = new();
    private readonly GpioController _controller;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public InputLevelTests()
    {
        _controller = new GpioController(_driver);
    }

    public void Dispose() => _controller.Dispose();

    private static BoardLayout Layout(TimeSpan? debounce = null) => new()
    {
        Inputs =
        [
            new InputPinLayout(InputKind.ExitButton, "exit", ExitPin, ActiveLow: true, PinPull.Up, debounce ?? TimeSpan.Zero),
            new InputPinLayout(InputKind.CallButton, "b1", ButtonPin, ActiveLow: false, PinPull.Down, debounce ?? TimeSpan.Zero),
            new InputPinLayout(InputKind.DoorContact, "door", DoorPin, ActiveLow: false, PinPull.None, TimeSpan.FromMilliseconds(50)),
        ],
        Relays = [new RelayLayout("door", StrikePin, ActiveLow: false, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10))],
        DoublePressWindow = 3 * (debounce ?? TimeSpan.FromMilliseconds(200)),
    };

    [Fact]
    public void The_gpio_board_reads_the_pin_now_with_the_inputs_polarity()
    {
        _driver.Preset(ExitPin, PinValue.High);
        _driver.Preset(ButtonPin, PinValue.Low);
        using var board = new GpioBoard(Layout(), _controller, _time);

        Assert.False(board.IsInputActive(InputKind.ExitButton, "exit"));
        Assert.False(board.IsInputActive(InputKind.CallButton, "b1"));

        // Active-low: pressed reads low. Active-high: pressed reads high. Read at once, no debounce, no event needed.
        _driver.Preset(ExitPin, PinValue.Low);
        _driver.Preset(ButtonPin, PinValue.High);
        Assert.True(board.IsInputActive(InputKind.ExitButton, "exit"));
        Assert.True(board.IsInputActive(InputKind.CallButton, "b1"));

        _driver.Preset(DoorPin, PinValue.High);
        Assert.True(board.IsInputActive(InputKind.DoorContact, "door"));
    }

    [Fact]
    public void An_input_the_layout_lacks_or_a_disposed_board_reads_inactive()
    {
        _driver.Preset(ExitPin, PinValue.Low);
        var board = new GpioBoard(Layout(), _controller, _time);

        Assert.True(board.IsInputActive(InputKind.ExitButton, "exit"));
        Assert.False(board.IsInputActive(InputKind.CallButton, "exit"));
        Assert.False(board.IsInputActive(InputKind.ExitButton, "b1"));
        Assert.False(board.IsInputActive(InputKind.Tamper, "tamper"));

        board.Dispose();
        Assert.False(board.IsInputActive(InputKind.ExitButton, "exit"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public void A_press_held_before_the_board_opened_reports_nothing_when_let_go_and_the_next_press_counts(int debounceMs)
    {
        var debounce = TimeSpan.FromMilliseconds(debounceMs);
        _driver.Preset(ExitPin, PinValue.Low); // held down while the station starts
        using var board = new GpioBoard(Layout(debounce), _controller, _time);
        List<InputGesture> seen = [];
        List<bool> relays = [];
        board.InputChanged += (_, e) => seen.Add(e.Gesture);
        board.RelayChanged += (_, e) => relays.Add(e.Energised);
        Assert.True(board.IsInputActive(InputKind.ExitButton, "exit"));

        _driver.Drive(ExitPin, PinValue.High);

        Assert.Empty(seen);
        Assert.False(board.IsInputActive(InputKind.ExitButton, "exit"));

        // GpioButton's debounce counts on the wall clock after a release it handled: let it pass, then a real press.
        Thread.Sleep(2 * debounceMs);
        _driver.Drive(ExitPin, PinValue.Low);
        _driver.Drive(ExitPin, PinValue.High);

        Assert.Equal(InputGesture.Pressed, seen[0]);
        Assert.Single(seen, g => g == InputGesture.Pressed);
        Assert.Empty(relays);
        Assert.DoesNotContain(PinValue.High, _driver.WritesTo(StrikePin));
    }

    [Fact]
    public void The_simulated_board_answers_from_its_state_and_holding_raises_no_gesture()
    {
        using var board = new SimulatedBoard(Layout(), _time);
        List<InputGesture> seen = [];
        board.InputChanged += (_, e) => seen.Add(e.Gesture);

        Assert.False(board.IsInputActive(InputKind.ExitButton, "exit"));
        board.HoldInput(InputKind.ExitButton, "exit");
        Assert.True(board.IsInputActive(InputKind.ExitButton, "exit"));
        Assert.False(board.IsInputActive(InputKind.CallButton, "b1"));
        board.ReleaseInput(InputKind.ExitButton, "exit");
        Assert.False(board.IsInputActive(InputKind.ExitButton, "exit"));
        Assert.Empty(seen);
        Assert.DoesNotContain(board.RelayTransitions, t => t.Energised);

        // Contacts read their simulated state; inputs the layout lacks read inactive even when held.
        board.SetDoorOpen(true);
        Assert.True(board.IsInputActive(InputKind.DoorContact, "door"));
        board.HoldInput(InputKind.Tamper, "tamper");
        Assert.False(board.IsInputActive(InputKind.Tamper, "tamper"));
    }
}

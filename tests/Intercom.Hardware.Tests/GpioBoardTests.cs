using Microsoft.Extensions.Time.Testing;
using System.Device.Gpio;

namespace Intercom.Hardware.Tests;

public sealed class GpioBoardTests : IDisposable
{
    private const int ButtonPin = 17;
    private const int ExitPin = 27;
    private const int DoorPin = 22;
    private const int StrikePin = 23;
    private const int GatePin = 24;
    private const int LedPin = 5;

    private readonly TestGpioDriver _driver = new();
    private readonly GpioController _controller;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public GpioBoardTests()
    {
        _controller = new GpioController(_driver);
    }

    public void Dispose() => _controller.Dispose();

    private static BoardLayout Layout(bool strikeActiveLow = false, TimeSpan? debounce = null) => new()
    {
        Inputs =
        [
            new InputPinLayout(InputKind.CallButton, "b1", ButtonPin, ActiveLow: true, PinPull.Up, debounce ?? TimeSpan.Zero),
            new InputPinLayout(InputKind.ExitButton, "exit", ExitPin, ActiveLow: true, PinPull.Up, TimeSpan.Zero),
            new InputPinLayout(InputKind.DoorContact, "door", DoorPin, ActiveLow: false, PinPull.None, TimeSpan.FromMilliseconds(50)),
        ],
        Relays =
        [
            new RelayLayout("door", StrikePin, strikeActiveLow, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)),
            new RelayLayout("gate", GatePin, ActiveLow: true, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)),
        ],
        Leds = [new LedLayout(StatusLedKind.Registered, LedPin, ActiveLow: false)],
        DoorHeldOpenLimit = TimeSpan.FromSeconds(30),
        DoublePressWindow = debounce is null ? TimeSpan.FromMilliseconds(600) : 3 * debounce.Value,
    };

    private void PressAndRelease(int pin)
    {
        _driver.Drive(pin, PinValue.Low);
        _driver.Drive(pin, PinValue.High);
    }

    [Fact]
    public void Relays_are_opened_at_their_inactive_level()
    {
        using var board = new GpioBoard(Layout(strikeActiveLow: false), _controller, _time);

        Assert.Equal(PinMode.Output, _driver.ModeOf(StrikePin));
        Assert.Equal(PinValue.Low, _driver.LevelOf(StrikePin));
        Assert.Equal(PinValue.High, _driver.LevelOf(GatePin));
        Assert.DoesNotContain(PinValue.High, _driver.WritesTo(StrikePin));
        Assert.DoesNotContain(PinValue.Low, _driver.WritesTo(GatePin));
    }

    [Fact]
    public void Active_high_relay_pulse_writes_high_then_low_after_the_pulse_time()
    {
        using var board = new GpioBoard(Layout(strikeActiveLow: false), _controller, _time);
        List<(string, bool)> changes = [];
        board.RelayChanged += (_, e) => changes.Add((e.RelayId, e.Energised));

        Assert.True(board.OpenRelay("door"));
        Assert.Equal(PinValue.High, _driver.LevelOf(StrikePin));
        _time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.Equal(PinValue.High, _driver.LevelOf(StrikePin));
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(PinValue.Low, _driver.LevelOf(StrikePin));
        Assert.Equal([("door", true), ("door", false)], changes);
    }

    [Fact]
    public void Active_low_relay_pulse_writes_low_to_energise_and_high_to_release()
    {
        using var board = new GpioBoard(Layout(), _controller, _time);

        board.OpenRelay("gate");
        Assert.Equal(PinValue.Low, _driver.LevelOf(GatePin));
        Assert.True(board.IsRelayEnergised("gate"));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(PinValue.High, _driver.LevelOf(GatePin));
        Assert.False(board.IsRelayEnergised("gate"));
    }

    [Fact]
    public void Dispose_releases_an_energised_relay_and_closes_its_pin()
    {
        var board = new GpioBoard(Layout(strikeActiveLow: true), _controller, _time);
        board.OpenRelay("door");
        Assert.Equal(PinValue.Low, _driver.LevelOf(StrikePin));

        board.Dispose();

        Assert.Equal(PinValue.High, _driver.LevelOf(StrikePin));
        Assert.False(_driver.IsOpen(StrikePin));
        Assert.False(_driver.IsOpen(ButtonPin));
    }

    [Fact]
    public void ReleaseAll_drives_every_relay_inactive_and_is_safe_after_dispose()
    {
        var board = new GpioBoard(Layout(), _controller, _time);
        board.OpenRelay("door");
        board.OpenRelay("gate");

        board.ReleaseAll();
        Assert.Equal(PinValue.Low, _driver.LevelOf(StrikePin));
        Assert.Equal(PinValue.High, _driver.LevelOf(GatePin));

        board.Dispose();
        board.ReleaseAll();
        Assert.False(board.OpenRelay("door"));
        Assert.Equal(PinValue.Low, _driver.LevelOf(StrikePin));
    }

    [Fact]
    public void Button_press_on_an_active_low_pin_raises_Pressed_with_its_id()
    {
        _driver.Preset(ButtonPin, PinValue.High);
        using var board = new GpioBoard(Layout(), _controller, _time);
        List<BoardInputEventArgs> seen = [];
        board.InputChanged += (_, e) => seen.Add(e);

        PressAndRelease(ButtonPin);

        var press = Assert.Single(seen);
        Assert.Equal((InputKind.CallButton, "b1", InputGesture.Pressed), (press.Kind, press.InputId, press.Gesture));
        Assert.Equal(PinMode.InputPullUp, _driver.ModeOf(ButtonPin));
    }

    [Fact]
    public void Two_quick_presses_raise_a_double_press()
    {
        _driver.Preset(ExitPin, PinValue.High);
        using var board = new GpioBoard(Layout(), _controller, _time);
        List<InputGesture> seen = [];
        board.InputChanged += (_, e) => seen.Add(e.Gesture);

        PressAndRelease(ExitPin);
        PressAndRelease(ExitPin);

        Assert.Equal([InputGesture.Pressed, InputGesture.Pressed, InputGesture.DoublePressed], seen);
    }

    [Fact]
    public void Bounce_after_a_release_is_ignored_within_the_debounce_time()
    {
        _driver.Preset(ButtonPin, PinValue.High);
        using var board = new GpioBoard(Layout(debounce: TimeSpan.FromSeconds(10)), _controller, _time);
        var presses = 0;
        board.InputChanged += (_, e) => presses += e.Gesture == InputGesture.Pressed ? 1 : 0;

        PressAndRelease(ButtonPin);
        PressAndRelease(ButtonPin);

        Assert.Equal(1, presses);
    }

    [Fact]
    public void Long_press_is_raised_while_the_button_is_held()
    {
        _driver.Preset(ButtonPin, PinValue.High);
        var layout = new BoardLayout
        {
            Inputs = [new InputPinLayout(InputKind.CallButton, "b1", ButtonPin, true, PinPull.Up, TimeSpan.Zero)],
            LongPressTime = TimeSpan.FromMilliseconds(20),
        };
        using var board = new GpioBoard(layout, _controller, _time);
        using var held = new ManualResetEventSlim();
        board.InputChanged += (_, e) =>
        {
            if (e.Gesture == InputGesture.LongPressed)
            {
                held.Set();
            }
        };

        // GpioButton times the hold with a real System.Threading.Timer: wait for it, bounded.
        _driver.Drive(ButtonPin, PinValue.Low);
        Assert.True(held.Wait(TimeSpan.FromSeconds(10)));
        _driver.Drive(ButtonPin, PinValue.High);
    }

    [Fact]
    public void Door_contact_is_debounced_and_reports_held_open_after_the_limit()
    {
        using var board = new GpioBoard(Layout(), _controller, _time);
        List<InputGesture> seen = [];
        var heldOpen = 0;
        board.InputChanged += (_, e) => seen.Add(e.Gesture);
        board.DoorHeldOpen += (_, _) => heldOpen++;

        // The reed bounces: high, low, high within the debounce window -> one Activated.
        _driver.Drive(DoorPin, PinValue.High);
        _driver.Drive(DoorPin, PinValue.Low);
        _driver.Drive(DoorPin, PinValue.High);
        Assert.Empty(seen);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal([InputGesture.Activated], seen);
        Assert.True(board.IsDoorOpen);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, heldOpen);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, heldOpen);

        _driver.Drive(DoorPin, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal([InputGesture.Activated, InputGesture.Deactivated], seen);
        Assert.False(board.IsDoorOpen);
    }

    [Fact]
    public void Closing_the_door_before_the_limit_raises_no_held_open()
    {
        using var board = new GpioBoard(Layout(), _controller, _time);
        var heldOpen = 0;
        board.DoorHeldOpen += (_, _) => heldOpen++;

        _driver.Drive(DoorPin, PinValue.High);
        _time.Advance(TimeSpan.FromSeconds(10));
        _driver.Drive(DoorPin, PinValue.Low);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(0, heldOpen);
    }

    [Fact]
    public void Blinking_led_toggles_its_pin_every_half_second()
    {
        using var board = new GpioBoard(Layout(), _controller, _time);

        board.SetLed(StatusLedKind.Registered, LedState.Blink);
        Assert.Equal(PinValue.High, _driver.LevelOf(LedPin));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(PinValue.Low, _driver.LevelOf(LedPin));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(PinValue.High, _driver.LevelOf(LedPin));

        board.SetLed(StatusLedKind.Registered, LedState.Off);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(PinValue.Low, _driver.LevelOf(LedPin));
    }

    [Fact]
    public void Keypad_key_is_reported_with_its_character()
    {
        int[] rows = [4, 12, 7, 8];
        int[] columns = [9, 10, 11];
        var layout = new BoardLayout { Keypad = new KeypadLayout(rows, columns, "123456789*0#", TimeSpan.FromMilliseconds(1)) };
        using var board = new GpioBoard(layout, _controller, _time);
        using var pressed = new ManualResetEventSlim();
        var key = '\0';
        board.KeyPressed += (_, e) =>
        {
            key = e.Key;
            pressed.Set();
        };

        // Row 3 (pin 8), column 2 (pin 11) is '#'. KeyMatrix scans on its own thread: wait, bounded.
        _driver.HoldKey(8, 11);
        Assert.True(pressed.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal('#', key);
    }
}

using Intercom.Hardware.Devices;
using System.Device.Gpio;
using System.Device.Gpio.Drivers;

namespace Intercom.Hardware;

/// <summary>
/// The board on real pins (BCM numbering) through System.Device.Gpio: one device object per connected part.
/// Relays are opened at their inactive level and released again on dispose and by <see cref="BoardBase.ReleaseAll"/>.
/// </summary>
public sealed class GpioBoard : BoardBase
{
    private readonly GpioController _controller;
    private readonly bool _ownsController;
    private readonly List<IDisposable> _devices = [];
    private readonly StatusLed?[] _leds = new StatusLed?[Enum.GetValues<StatusLedKind>().Length];

    /// <summary>Builds the board on <paramref name="controller"/>.</summary>
    /// <param name="layout">What is wired where.</param>
    /// <param name="controller">The GPIO controller (tests pass one over their own driver).</param>
    /// <param name="time">Clock for pulses, debounce of contacts, blinking and supervision.</param>
    /// <param name="ownsController">True to dispose the controller with the board.</param>
    public GpioBoard(BoardLayout layout, GpioController controller, TimeProvider time, bool ownsController = false)
        : base(layout, time)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controller = controller;
        _ownsController = ownsController;
        try
        {
            // Outputs first, each opened inactive: a door must never open because the process started.
            foreach (var relay in layout.Relays)
            {
                var device = new DoorRelay(controller, relay.Pin, relay.ActiveLow);
                _devices.Add(device);
                AddRelay(relay, device);
            }

            foreach (var led in layout.Leds)
            {
                var device = new StatusLed(controller, led.Pin, led.ActiveLow);
                _devices.Add(device);
                _leds[(int)led.Led] = device;
            }

            foreach (var input in layout.Inputs)
            {
                _devices.Add(CreateInput(input));
            }

            if (layout.Keypad is { } keypad)
            {
                var device = new MatrixKeypad(controller, keypad);
                device.KeyPressed += (_, key) => OnKey(key);
                _devices.Add(device);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the board on a GPIO character device through libgpiod (the kernel's chardev interface, whose lines are
    /// released when the process exits). libgpiod 1.x (Raspberry Pi OS Bookworm: package libgpiod2) is tried
    /// first, then libgpiod 2.x (Debian Trixie: libgpiod3). Chip 0 on Pi 1–4; the RP1 header is chip 0 on current
    /// Pi 5 kernels (chip 4 on older ones).
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither libgpiod version could open the chip.</exception>
    public static GpioBoard Open(BoardLayout layout, TimeProvider time, int gpioChip = 0)
    {
        var controller = OpenController(gpioChip);
        try
        {
            return new GpioBoard(layout, controller, time, ownsController: true);
        }
        catch
        {
            controller.Dispose();
            throw;
        }
    }

    private static GpioController OpenController(int gpioChip)
    {
        Exception v1Failure;
        try
        {
            return new GpioController(new LibGpiodDriver(gpioChip));
        }
        catch (Exception e) when (IsMissingLibrary(e))
        {
            v1Failure = e;
        }

        try
        {
            return new GpioController(new LibGpiodV2Driver(gpioChip));
        }
        catch (Exception e) when (IsMissingLibrary(e))
        {
            throw new InvalidOperationException(
                $"cannot open gpiochip{gpioChip} through libgpiod (install libgpiod2 or libgpiod3; is /dev/gpiochip{gpioChip} readable?): "
                + $"v1: {v1Failure.Message}; v2: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public override bool IsInputActive(InputKind kind, string inputId)
    {
        if (FindInput(kind, inputId) is not { } input || IsDisposed)
        {
            return false;
        }

        try
        {
            return _controller.Read(input.Pin) == (input.ActiveLow ? PinValue.Low : PinValue.High);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException or GpiodException)
        {
            // Closing with the board: nothing is held any more.
            return false;
        }
    }

    private static bool IsMissingLibrary(Exception e) =>
        e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException or GpiodException
            or TypeInitializationException or IOException or UnauthorizedAccessException;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
        {
            return;
        }

        for (var i = _devices.Count - 1; i >= 0; i--)
        {
            _devices[i].Dispose();
        }

        _devices.Clear();
        if (_ownsController)
        {
            _controller.Dispose();
        }
    }

    private protected override void DriveLed(StatusLedKind led, bool lit)
    {
        if ((uint)led < (uint)_leds.Length)
        {
            _leds[(int)led]?.Set(lit);
        }
    }

    private IDisposable CreateInput(InputPinLayout input)
    {
        if (input.Kind is InputKind.CallButton or InputKind.ExitButton)
        {
            var button = new PushButton(_controller, input.Pin, input.ActiveLow, input.Pull, input.Debounce, Layout.DoublePressWindow, Layout.LongPressTime);
            button.Gesture += (_, gesture) => OnInput(input.Kind, input.Id, gesture);
            return button;
        }

        var contact = new ContactSwitch(_controller, input.Pin, input.ActiveLow, input.Pull, input.Debounce, Time);
        contact.Changed += (_, active) => OnInput(input.Kind, input.Id, active ? InputGesture.Activated : InputGesture.Deactivated);
        if (contact.IsActive)
        {
            // A door already open (or a housing already open) at start is reported like any change.
            OnInput(input.Kind, input.Id, InputGesture.Activated);
        }

        return contact;
    }
}

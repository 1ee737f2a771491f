using Iot.Device.Button;
using System.Device.Gpio;

namespace Intercom.Hardware.Devices;

/// <summary>
/// A push button (call button, exit button) on one GPIO input. Debounce, double press and long press come from
/// dotnet/iot's <see cref="GpioButton"/>; this class maps its events to <see cref="InputGesture"/> and its
/// pull-up flag to the station's active-low/pull settings. A press that began before the pin was opened (the button
/// held while the station starts: the physical reset, or a stuck button) reports nothing, not even when it ends: its
/// release is no press the station saw, so letting go of the exit button after a reset opens no door.
/// </summary>
public sealed class PushButton : IDisposable
{
    private readonly GpioButton _button;

    // A press began since the pin was opened (GpioButton raised ButtonDown): only then is its release a press. Without a
    // debounce time GpioButton reports the release of a press that began before it was opened as a press of its own.
    private int _down;

    /// <summary>Opens <paramref name="pin"/> as an input with the given pull and starts watching edges.</summary>
    /// <param name="controller">The controller (not disposed by this device).</param>
    /// <param name="pin">BCM pin.</param>
    /// <param name="activeLow">True for a switch to ground (pressed reads low).</param>
    /// <param name="pull">Internal resistor; must pull towards the inactive level, or be None for an external one.</param>
    /// <param name="debounce">Bounce time ignored after a release.</param>
    /// <param name="doublePressWindow">Two presses within this make a double press (at least 3 × debounce).</param>
    /// <param name="longPressTime">Held this long makes a long press.</param>
    public PushButton(GpioController controller, int pin, bool activeLow, PinPull pull, TimeSpan debounce, TimeSpan doublePressWindow, TimeSpan longPressTime)
    {
        ArgumentNullException.ThrowIfNull(controller);
        if ((activeLow && pull == PinPull.Down) || (!activeLow && pull == PinPull.Up))
        {
            throw new ArgumentException($"GPIO {pin}: the pull resistor must hold the button at its inactive level", nameof(pull));
        }

        Pin = pin;

        // GpioButton's "isPullUp" means "pressed reads low"; "hasExternalResistor" means "do not configure a pull".
        _button = new GpioButton(pin, doublePressWindow, longPressTime, isPullUp: activeLow, hasExternalResistor: pull == PinPull.None,
            gpio: controller, shouldDispose: false, debounceTime: debounce)
        {
            IsDoublePressEnabled = true,
            IsHoldingEnabled = true,
        };
        _button.ButtonDown += (_, _) => Volatile.Write(ref _down, 1);
        _button.Press += (_, _) =>
        {
            if (Interlocked.Exchange(ref _down, 0) == 1)
            {
                Gesture?.Invoke(this, InputGesture.Pressed);
            }
        };
        _button.DoublePress += (_, _) => Gesture?.Invoke(this, InputGesture.DoublePressed);
        _button.Holding += (_, e) =>
        {
            if (e.HoldingState == ButtonHoldingState.Started)
            {
                Gesture?.Invoke(this, InputGesture.LongPressed);
            }
        };
    }

    /// <summary>A press, double press or long press (raised on the GPIO event or timer thread).</summary>
    public event Action<PushButton, InputGesture>? Gesture;

    /// <summary>The BCM pin.</summary>
    public int Pin { get; }

    /// <summary>True while the button is held down.</summary>
    public bool IsPressed => _button.IsPressed;

    /// <inheritdoc/>
    public void Dispose() => _button.Dispose();
}

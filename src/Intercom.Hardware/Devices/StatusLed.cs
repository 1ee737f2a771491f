using System.Device.Gpio;

namespace Intercom.Hardware.Devices;

/// <summary>A status LED on one GPIO output (through its series resistor, or a transistor for brighter ones).</summary>
public sealed class StatusLed : IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _activeLow;
    private int _disposed;

    /// <summary>Opens <paramref name="pin"/> as an output, dark.</summary>
    public StatusLed(GpioController controller, int pin, bool activeLow)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controller = controller;
        _activeLow = activeLow;
        Pin = pin;
        _controller.OpenPin(pin, PinMode.Output, activeLow ? PinValue.High : PinValue.Low);
    }

    /// <summary>The BCM pin.</summary>
    public int Pin { get; }

    /// <summary>Lights (true) or darkens (false) the LED.</summary>
    public void Set(bool lit)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            _controller.Write(Pin, lit != _activeLow ? PinValue.High : PinValue.Low);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
        {
            // A status LED is never worth an exception on a shutdown path.
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Set(false);
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                _controller.ClosePin(Pin);
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
            {
                // Already closed with the controller.
            }
        }
    }
}

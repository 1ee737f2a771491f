using System.Device.Gpio;

namespace Intercom.Hardware.Devices;

/// <summary>
/// A relay module on one GPIO output (door strike, gate, light). Only levels: timing lives in the board.
/// The pin is opened already at the inactive level, so opening it never glitches the coil on, and it is driven
/// inactive again before it is closed.
/// </summary>
public sealed class DoorRelay : IDisposable, IRelayLine
{
    private readonly GpioController _controller;
    private readonly PinValue _active;
    private readonly PinValue _inactive;
    private int _disposed;

    /// <summary>Opens <paramref name="pin"/> as an output at the inactive level.</summary>
    /// <param name="controller">The controller (not disposed by this device).</param>
    /// <param name="pin">BCM pin.</param>
    /// <param name="activeLow">True for low-level-trigger modules.</param>
    public DoorRelay(GpioController controller, int pin, bool activeLow)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controller = controller;
        Pin = pin;
        _active = activeLow ? PinValue.Low : PinValue.High;
        _inactive = activeLow ? PinValue.High : PinValue.Low;
        _controller.OpenPin(pin, PinMode.Output, _inactive);
    }

    /// <summary>The BCM pin.</summary>
    public int Pin { get; }

    /// <summary>Energises the coil.</summary>
    public void Energise() => Drive(true);

    /// <summary>Releases the coil.</summary>
    public void Release() => Drive(false);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Write(_inactive);
        try
        {
            _controller.ClosePin(Pin);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
        {
            // The controller is already gone (process exit): the line is released with it.
        }
    }

    void IRelayLine.Drive(bool energised) => Drive(energised);

    private void Drive(bool energised)
    {
        if (Volatile.Read(ref _disposed) == 0 || !energised)
        {
            Write(energised ? _active : _inactive);
        }
    }

    private void Write(PinValue level)
    {
        try
        {
            _controller.Write(Pin, level);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
        {
            // Releasing on an exit path must never throw: the pin may already be closed by the controller's dispose.
        }
    }
}

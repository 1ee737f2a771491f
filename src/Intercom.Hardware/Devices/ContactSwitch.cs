using System.Device.Gpio;

namespace Intercom.Hardware.Devices;

/// <summary>
/// A level input that matters by its state, not by presses: the door's reed contact, the enclosure tamper switch.
/// An edge starts a debounce timer; when it fires the pin is read again and only a changed stable level is
/// reported, so a bouncing reed or a rattling door reports once.
/// </summary>
public sealed class ContactSwitch : IDisposable
{
    private readonly Lock _gate = new();
    private readonly GpioController _controller;
    private readonly PinValue _activeLevel;
    private readonly TimeSpan _debounce;
    private readonly ITimer _timer;
    private bool _active;
    private int _disposed;

    /// <summary>Opens <paramref name="pin"/> as an input, reads the initial state and watches both edges.</summary>
    public ContactSwitch(GpioController controller, int pin, bool activeLow, PinPull pull, TimeSpan debounce, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(time);
        _controller = controller;
        _activeLevel = activeLow ? PinValue.Low : PinValue.High;
        _debounce = debounce;
        Pin = pin;
        _timer = time.CreateTimer(static s => ((ContactSwitch)s!).Settle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _controller.OpenPin(pin, pull switch
        {
            PinPull.Up => PinMode.InputPullUp,
            PinPull.Down => PinMode.InputPullDown,
            _ => PinMode.Input,
        });
        _active = _controller.Read(pin) == _activeLevel;
        _controller.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
    }

    /// <summary>The stable state changed: true = active (door open, tamper triggered).</summary>
    public event Action<ContactSwitch, bool>? Changed;

    /// <summary>The BCM pin.</summary>
    public int Pin { get; }

    /// <summary>The last stable state.</summary>
    public bool IsActive
    {
        get { lock (_gate) { return _active; } }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        try
        {
            _controller.UnregisterCallbackForPinValueChangedEvent(Pin, OnEdge);
            _controller.ClosePin(Pin);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
        {
            // Already closed with the controller.
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (_debounce <= TimeSpan.Zero)
        {
            Settle();
            return;
        }

        // Every edge restarts the window: the level is trusted once it has been quiet for the debounce time.
        _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    private void Settle()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        bool now;
        try
        {
            now = _controller.Read(Pin) == _activeLevel;
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
        {
            return;
        }

        lock (_gate)
        {
            if (now == _active)
            {
                return;
            }

            _active = now;
        }

        Changed?.Invoke(this, now);
    }
}

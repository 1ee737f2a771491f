using System.Device.Gpio;

namespace Intercom.TestSupport;

/// <summary>
/// A GPIO driver for tests: pins are plain memory. It records every write (pin, level) in order and lets a test
/// drive an input pin, which raises the edge callbacks a real chip would. <c>new GpioController()</c> throws on a
/// machine without a GPIO chip; <c>new GpioController(new TestGpioDriver())</c> works everywhere.
/// </summary>
public sealed class TestGpioDriver : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PinValue> _levels = [];
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly HashSet<int> _open = [];
    private readonly List<(int Pin, PinEventTypes Types, PinChangeEventHandler Handler)> _callbacks = [];
    private readonly List<(int Pin, PinValue Level)> _writes = [];
    private readonly List<(int Row, int Column)> _closedKeys = [];

    protected override int PinCount => 28;

    /// <summary>Every level written to an output, in order.</summary>
    public IReadOnlyList<(int Pin, PinValue Level)> Writes
    {
        get { lock (_gate) { return [.. _writes]; } }
    }

    public IReadOnlyList<PinValue> WritesTo(int pin)
    {
        lock (_gate)
        {
            List<PinValue> result = [];
            foreach (var (p, level) in _writes)
            {
                if (p == pin)
                {
                    result.Add(level);
                }
            }

            return result;
        }
    }

    public bool IsOpen(int pin)
    {
        lock (_gate) { return _open.Contains(pin); }
    }

    public PinMode ModeOf(int pin)
    {
        lock (_gate) { return _modes.GetValueOrDefault(pin, PinMode.Input); }
    }

    public PinValue LevelOf(int pin)
    {
        lock (_gate) { return _levels.GetValueOrDefault(pin, PinValue.Low); }
    }

    /// <summary>Sets the level an input reads, without edge callbacks (the state before the test starts).</summary>
    public void Preset(int pin, PinValue level)
    {
        lock (_gate) { _levels[pin] = level; }
    }

    /// <summary>Drives an input to a level and raises the rising/falling callbacks registered for it.</summary>
    public void Drive(int pin, PinValue level)
    {
        List<PinChangeEventHandler> handlers = [];
        PinEventTypes edge;
        lock (_gate)
        {
            var previous = _levels.GetValueOrDefault(pin, PinValue.Low);
            _levels[pin] = level;
            if (previous == level)
            {
                return;
            }

            edge = level == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            foreach (var (p, types, handler) in _callbacks)
            {
                if (p == pin && (types & edge) != 0)
                {
                    handlers.Add(handler);
                }
            }
        }

        foreach (var handler in handlers)
        {
            handler(this, new PinValueChangedEventArgs(edge, pin));
        }
    }

    /// <summary>Holds a matrix key down: the column reads the level the row is driven to.</summary>
    public void HoldKey(int rowPin, int columnPin)
    {
        lock (_gate) { _closedKeys.Add((rowPin, columnPin)); }
    }

    /// <summary>Lets every matrix key go.</summary>
    public void ReleaseKeys()
    {
        lock (_gate) { _closedKeys.Clear(); }
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate) { _open.Add(pinNumber); }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _open.Remove(pinNumber);
            _callbacks.RemoveAll(c => c.Pin == pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate) { _modes[pinNumber] = mode; }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        return ModeOf(pinNumber);
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            foreach (var (row, column) in _closedKeys)
            {
                if (column == pinNumber && _levels.GetValueOrDefault(row, PinValue.Low) == PinValue.High)
                {
                    return PinValue.High;
                }
            }

            return _levels.GetValueOrDefault(pinNumber, PinValue.Low);
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            _levels[pinNumber] = value;
            _writes.Add((pinNumber, value));
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        // Tests raise edges through callbacks; a blocking wait would only ever time out here.
        return new WaitForEventResult { TimedOut = true };
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate) { _callbacks.Add((pinNumber, eventTypes, callback)); }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate) { _callbacks.RemoveAll(c => c.Pin == pinNumber && c.Handler == callback); }
    }
}

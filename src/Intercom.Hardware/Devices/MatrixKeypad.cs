using Iot.Device.KeyMatrix;
using System.Device.Gpio;

namespace Intercom.Hardware.Devices;

/// <summary>
/// A 3x4 or 4x4 membrane keypad scanned by dotnet/iot's <see cref="KeyMatrix"/>: rows are driven high one at a
/// time, columns (with pull-downs) read high where a key connects them. Raises the key's character on press.
/// The scan runs on a background thread of ours calling <see cref="KeyMatrix.ReadKey"/>, not on KeyMatrix's own
/// listening thread: that one is neither a background thread nor joined on dispose, so it can write to a closed
/// pin after dispose and take the process down with an unhandled exception.
/// </summary>
public sealed class MatrixKeypad : IDisposable
{
    private readonly KeyMatrix _matrix;
    private readonly string _keys;
    private readonly int _columns;
    private readonly Thread _scanner;
    private volatile bool _stopping;
    private int _disposed;

    /// <summary>Opens the row and column pins and starts scanning on KeyMatrix's own thread.</summary>
    public MatrixKeypad(GpioController controller, KeypadLayout layout)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Keys.Length != layout.Rows.Count * layout.Columns.Count)
        {
            throw new ArgumentException("keypad: one key character per row × column", nameof(layout));
        }

        _keys = layout.Keys;
        _columns = layout.Columns.Count;
        _matrix = new KeyMatrix(layout.Rows, layout.Columns, layout.ScanInterval, PinMode.InputPullDown, controller, shouldDispose: false);
        _matrix.KeyEvent += OnKeyEvent;
        _scanner = new Thread(Scan) { IsBackground = true, Name = "keypad scan" };
        _scanner.Start();
    }

    /// <summary>A key went down (raised on the scanning thread).</summary>
    public event Action<MatrixKeypad, char>? KeyPressed;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping = true;

        // ReadKey re-arms the matrix when it is entered, so a stop can be missed once: repeat until the scanner
        // has left, bounded so a wedged driver cannot hang shutdown.
        for (var attempt = 0; attempt < 40; attempt++)
        {
            _matrix.StopListeningKeyEvent();
            if (_scanner.Join(TimeSpan.FromMilliseconds(50)))
            {
                break;
            }
        }

        _matrix.KeyEvent -= OnKeyEvent;
        _matrix.Dispose();
    }

    private void Scan()
    {
        try
        {
            while (!_stopping)
            {
                _matrix.ReadKey();
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
        {
            // The controller went away under us (process exit): the keypad is simply gone.
        }
    }

    private void OnKeyEvent(object sender, KeyMatrixEvent e)
    {
        // KeyMatrix reports Rising for press and Falling for release; only presses are keys.
        if (e.EventType != PinEventTypes.Rising || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var index = e.Output * _columns + e.Input;
        if ((uint)index < (uint)_keys.Length)
        {
            KeyPressed?.Invoke(this, _keys[index]);
        }
    }
}

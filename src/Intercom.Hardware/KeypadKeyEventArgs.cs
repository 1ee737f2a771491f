namespace Intercom.Hardware;

/// <summary>A key of the matrix keypad was pressed.</summary>
public sealed class KeypadKeyEventArgs(char key, DateTimeOffset at) : EventArgs
{
    /// <summary>The key's character: 0-9, *, #, A-D.</summary>
    public char Key { get; } = key;

    /// <summary>When the board saw it.</summary>
    public DateTimeOffset At { get; } = at;
}

namespace Intercom.Hardware;

/// <summary>An input changed: which one (kind and id) and how.</summary>
public sealed class BoardInputEventArgs(InputKind kind, string inputId, InputGesture gesture, DateTimeOffset at) : EventArgs
{
    /// <summary>What the input is wired to.</summary>
    public InputKind Kind { get; } = kind;

    /// <summary>The configured id (a call button's id; "exit", "door", "tamper" for the single inputs).</summary>
    public string InputId { get; } = inputId;

    /// <summary>What happened.</summary>
    public InputGesture Gesture { get; } = gesture;

    /// <summary>When the board saw it (board's TimeProvider).</summary>
    public DateTimeOffset At { get; } = at;
}

namespace Intercom.Hardware;

/// <summary>What happened on an input.</summary>
public enum InputGesture
{
    /// <summary>A button was pressed and released (raised on release, as dotnet/iot's ButtonBase does).</summary>
    Pressed,

    /// <summary>A second press followed the first within the double-press window (raised after the second <see cref="Pressed"/>).</summary>
    DoublePressed,

    /// <summary>A button has been held down for the long-press time (raised while still held).</summary>
    LongPressed,

    /// <summary>A contact input became active (door opened, tamper triggered).</summary>
    Activated,

    /// <summary>A contact input became inactive (door closed, tamper cleared).</summary>
    Deactivated,
}

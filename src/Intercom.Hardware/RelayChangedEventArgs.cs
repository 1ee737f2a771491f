namespace Intercom.Hardware;

/// <summary>A relay was energised or released.</summary>
public sealed class RelayChangedEventArgs(string relayId, bool energised, DateTimeOffset at) : EventArgs
{
    /// <summary>The relay's configured id.</summary>
    public string RelayId { get; } = relayId;

    /// <summary>True when the coil is now energised (door strike open).</summary>
    public bool Energised { get; } = energised;

    /// <summary>When it happened (board's TimeProvider).</summary>
    public DateTimeOffset At { get; } = at;
}

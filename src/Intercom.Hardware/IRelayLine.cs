namespace Intercom.Hardware;

/// <summary>The one thing relay timing needs from an output: drive it energised or released.</summary>
internal interface IRelayLine
{
    /// <summary>Drives the coil on or off. Must not throw once the underlying pin is gone (process exit).</summary>
    void Drive(bool energised);
}

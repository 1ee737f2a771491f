namespace Intercom.Station.Configuration;

/// <summary>The status LEDs; a null entry is not fitted.</summary>
public sealed class LedsConfig
{
    /// <summary>SIP registration is up.</summary>
    public OutputConfig? Registered { get; set; } = new() { Pin = DefaultPinMap.LedRegistered };

    /// <summary>Targets are ringing.</summary>
    public OutputConfig? Calling { get; set; } = new() { Pin = DefaultPinMap.LedCalling };

    /// <summary>A call is connected.</summary>
    public OutputConfig? InCall { get; set; } = new() { Pin = DefaultPinMap.LedInCall };

    /// <summary>The door relay is energised.</summary>
    public OutputConfig? DoorOpen { get; set; } = new() { Pin = DefaultPinMap.LedDoorOpen };

    /// <summary>Registration failed, tamper, door held open.</summary>
    public OutputConfig? Fault { get; set; } = new() { Pin = DefaultPinMap.LedFault };
}

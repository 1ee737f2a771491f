namespace Intercom.Hardware;

/// <summary>The status LEDs a door station shows to visitors and installers.</summary>
public enum StatusLedKind
{
    /// <summary>SIP registration is up.</summary>
    Registered,

    /// <summary>A call is being set up (targets ringing).</summary>
    Calling,

    /// <summary>A call is connected.</summary>
    InCall,

    /// <summary>The door relay is energised (door may be pushed open).</summary>
    DoorOpen,

    /// <summary>Something needs attention (registration failed, tamper, door held open).</summary>
    Fault,
}

namespace Intercom.Media.Nat;

/// <summary>
/// The STUN method of a message (RFC 8489 §5, §18.2): Binding is STUN's own; the others are TURN's (RFC 8656 §17), kept
/// here so the TURN client can be built on the same codec.
/// </summary>
public enum StunMethod : ushort
{
    /// <summary>RFC 8489 §3.1: asks for the reflexive transport address (and, with ICE, a connectivity check).</summary>
    Binding = 0x001,

    /// <summary>RFC 8656 §7: reserves a relayed transport address.</summary>
    Allocate = 0x003,

    /// <summary>RFC 8656 §8: refreshes (or deletes, with LIFETIME 0) an allocation.</summary>
    Refresh = 0x004,

    /// <summary>RFC 8656 §11: an indication carrying data to a peer.</summary>
    Send = 0x006,

    /// <summary>RFC 8656 §11: an indication carrying data from a peer.</summary>
    Data = 0x007,

    /// <summary>RFC 8656 §9: installs permissions for peer addresses.</summary>
    CreatePermission = 0x008,

    /// <summary>RFC 8656 §12: binds a channel number to a peer.</summary>
    ChannelBind = 0x009,
}

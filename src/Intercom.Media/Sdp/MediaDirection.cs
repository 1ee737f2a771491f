namespace Intercom.Media.Sdp;

/// <summary>
/// The direction attribute of a media stream (RFC 8866 §6.7, RFC 3264 §5.1), always from the point of view of the
/// description's author. The values are bit sets so that directions can be intersected.
/// </summary>
[Flags]
public enum MediaDirection
{
    /// <summary>a=inactive.</summary>
    Inactive = 0,

    /// <summary>a=sendonly.</summary>
    SendOnly = 1,

    /// <summary>a=recvonly.</summary>
    ReceiveOnly = 2,

    /// <summary>a=sendrecv (the default).</summary>
    SendReceive = SendOnly | ReceiveOnly,
}

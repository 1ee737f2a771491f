namespace Intercom.Media.Sdp;

/// <summary>The c= line (RFC 8866 §5.7): network type IN, address type IP4 or IP6, and an address or host name.</summary>
public sealed record SdpConnection(string AddressType, string Address)
{
    /// <summary>True for the RFC 2543 hold address 0.0.0.0 (still sent by old endpoints, RFC 3264 §8.4).</summary>
    public bool IsUnspecified => Address is "0.0.0.0" or "::";

    /// <inheritdoc />
    public override string ToString() => $"IN {AddressType} {Address}";
}

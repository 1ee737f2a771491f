namespace Intercom.Media.Sdp;

/// <summary>The o= line (RFC 8866 §5.2); the session version must grow whenever the description changes (RFC 3264 §8).</summary>
public sealed record SdpOrigin(string Username, ulong SessionId, ulong SessionVersion, string AddressType, string Address)
{
    /// <inheritdoc />
    public override string ToString() => $"{Username} {SessionId} {SessionVersion} IN {AddressType} {Address}";
}

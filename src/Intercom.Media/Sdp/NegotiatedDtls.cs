using Intercom.Media.Dtls;

namespace Intercom.Media.Sdp;

/// <summary>
/// What an offer/answer agreed for DTLS-SRTP (RFC 5763 §5): our end of the handshake (a=setup) and the certificate
/// fingerprint the peer's DTLS must present (a=fingerprint). Keys come from the handshake, never from the SDP.
/// </summary>
/// <param name="Role">Client when we are the a=setup:active end.</param>
/// <param name="RemoteFingerprint">The peer's a=fingerprint.</param>
public sealed record NegotiatedDtls(DtlsRole Role, DtlsFingerprint RemoteFingerprint)
{
    public bool Equals(NegotiatedDtls? other) =>
        other is not null && Role == other.Role && RemoteFingerprint.ToString() == other.RemoteFingerprint.ToString();

    public override int GetHashCode() => HashCode.Combine(Role, RemoteFingerprint.ToString());
}

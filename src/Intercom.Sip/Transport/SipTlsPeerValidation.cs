namespace Intercom.Sip.Transport;

/// <summary>How a TLS peer's certificate is judged.</summary>
public enum SipTlsPeerValidation
{
    /// <summary>Chain to the operating system's trusted CAs, and the name must match (RFC 5922).</summary>
    SystemCertificateAuthorities,

    /// <summary>Chain to the CA certificates in <see cref="SipTlsOptions.CertificateAuthorities"/> only, and the name must match.</summary>
    ConfiguredCertificateAuthorities,

    /// <summary>
    /// The peer's certificate must have one of <see cref="SipTlsOptions.PinnedSha256Fingerprints"/>; chain and name are
    /// not checked (self-signed PBX and phone certificates).
    /// </summary>
    PinnedFingerprint,

    /// <summary>Any certificate is accepted. For servers that do not ask clients for certificates; never for clients in production.</summary>
    None,
}

using System.Security.Cryptography.X509Certificates;

namespace Intercom.Sip.Transport;

/// <summary>TLS settings for SIP over TLS (RFC 3261 §26.2, RFC 5922, RFC 5630).</summary>
public sealed class SipTlsOptions
{
    /// <summary>
    /// Our certificate with its private key: presented by TLS listeners, and to servers that ask for a client
    /// certificate. Required for a TLS listener.
    /// </summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>How servers we connect to are validated.</summary>
    public SipTlsPeerValidation ServerValidation { get; init; } = SipTlsPeerValidation.SystemCertificateAuthorities;

    /// <summary>
    /// How clients connecting to our TLS listener are validated when they present a certificate. <see cref="SipTlsPeerValidation.None"/>
    /// (the default) does not request one.
    /// </summary>
    public SipTlsPeerValidation ClientValidation { get; init; } = SipTlsPeerValidation.None;

    /// <summary>Trust anchors for <see cref="SipTlsPeerValidation.ConfiguredCertificateAuthorities"/>.</summary>
    public X509Certificate2Collection CertificateAuthorities { get; init; } = [];

    /// <summary>Accepted SHA-256 certificate fingerprints (32 bytes each) for <see cref="SipTlsPeerValidation.PinnedFingerprint"/>.</summary>
    public IReadOnlyList<byte[]> PinnedSha256Fingerprints { get; init; } = [];

    /// <summary>
    /// Parses a fingerprint as printed by <c>openssl x509 -fingerprint -sha256</c> ("AB:CD:…") or as plain hex.
    /// </summary>
    public static bool TryParseFingerprint(ReadOnlySpan<char> text, out byte[] fingerprint)
    {
        Span<char> hex = stackalloc char[64];
        var count = 0;
        foreach (var c in text)
        {
            if (c is ':' or ' ')
            {
                continue;
            }

            if (count == hex.Length || !char.IsAsciiHexDigit(c))
            {
                fingerprint = [];
                return false;
            }

            hex[count++] = c;
        }

        if (count != 64)
        {
            fingerprint = [];
            return false;
        }

        fingerprint = Convert.FromHexString(hex);
        return true;
    }
}

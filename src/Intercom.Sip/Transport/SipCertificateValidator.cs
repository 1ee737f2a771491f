using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Intercom.Sip.Transport;

/// <summary>Decides whether a TLS peer certificate is acceptable under a <see cref="SipTlsPeerValidation"/> policy.</summary>
internal static class SipCertificateValidator
{
    public static bool Validate(
        SipTlsPeerValidation mode,
        SipTlsOptions options,
        X509Certificate? certificate,
        X509Chain? chain,
        SslPolicyErrors errors,
        bool isServerCertificate)
    {
        switch (mode)
        {
            case SipTlsPeerValidation.None:
                return true;
            case SipTlsPeerValidation.SystemCertificateAuthorities:
                // A client that sent no certificate is fine for a server that only validates offered ones.
                if (!isServerCertificate && certificate is null)
                {
                    return true;
                }

                return errors == SslPolicyErrors.None;
            case SipTlsPeerValidation.PinnedFingerprint:
                return certificate is not null && MatchesPin(certificate, options.PinnedSha256Fingerprints);
            case SipTlsPeerValidation.ConfiguredCertificateAuthorities:
                if (certificate is null)
                {
                    return !isServerCertificate;
                }

                // The name check stays with SslStream; only the chain is rebuilt against our anchors.
                if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
                {
                    return false;
                }

                return ChainsToConfiguredAuthority(certificate, chain, options.CertificateAuthorities);
            default:
                return false;
        }
    }

    private static bool MatchesPin(X509Certificate certificate, IReadOnlyList<byte[]> pins)
    {
        Span<byte> hash = stackalloc byte[32];
        if (!SHA256.TryHashData(certificate.GetRawCertData(), hash, out _))
        {
            return false;
        }

        foreach (var pin in pins)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, pin))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ChainsToConfiguredAuthority(X509Certificate certificate, X509Chain? presented, X509Certificate2Collection authorities)
    {
        if (authorities.Count == 0)
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}

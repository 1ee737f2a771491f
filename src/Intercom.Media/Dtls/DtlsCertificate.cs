using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Intercom.Media.Dtls;

/// <summary>
/// The station's DTLS certificate: self-signed ECDSA P-256, made once at start and used for every call (RFC 5763 §5: a
/// self-signed certificate is enough, the SDP's a=fingerprint is what authenticates it). Nothing is stored: a new
/// fingerprint each start costs nothing, since every offer and answer carries it. Holds the DER certificate and the
/// PKCS#8 key that OpenSSL loads.
/// </summary>
public sealed class DtlsCertificate
{
    private static readonly Lazy<DtlsCertificate> Shared = new(() => Create("intercom"));
    private readonly byte[] _certificate;
    private readonly byte[] _privateKey;

    private DtlsCertificate(byte[] certificate, byte[] privateKey)
    {
        _certificate = certificate;
        _privateKey = privateKey;
        Fingerprint = DtlsFingerprint.Sha256(certificate);
    }

    /// <summary>The process's certificate, made on first use.</summary>
    public static DtlsCertificate Station => Shared.Value;

    /// <summary>Our a=fingerprint (SHA-256 of the DER certificate).</summary>
    public DtlsFingerprint Fingerprint { get; }

    internal ReadOnlySpan<byte> CertificateDer => _certificate;

    internal ReadOnlySpan<byte> PrivateKeyPkcs8 => _privateKey;

    /// <summary>Makes a new self-signed certificate naming <paramref name="commonName"/>, valid for 30 days from yesterday.</summary>
    public static DtlsCertificate Create(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return new DtlsCertificate(certificate.RawData, key.ExportPkcs8PrivateKey());
    }
}

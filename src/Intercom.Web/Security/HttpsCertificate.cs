using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intercom.Configuration;

namespace Intercom.Web.Security;

/// <summary>
/// The HTTPS certificate: the configured PEM pair, or one generated on first start (ECDSA P-256, self-signed, ten
/// years, names localhost, the host name, NAME.local (multicast DNS) and the loopback addresses) and kept beside the configuration so browsers
/// that were told to trust it keep trusting it across restarts.
/// </summary>
internal static class HttpsCertificate
{
    public const string GeneratedCertificateFile = "web-cert.pem";
    public const string GeneratedKeyFile = "web-key.pem";

    /// <summary>SHA-256 of the certificate as browsers show it: "AB:CD:…" (32 bytes).</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    public static X509Certificate2 LoadOrCreate(WebConfig web, string stateDirectory)
    {
        if (web.CertificateFile is { Length: > 0 } certFile && web.PrivateKeyFile is { Length: > 0 } keyFile)
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }

        var certPath = Path.Combine(stateDirectory, GeneratedCertificateFile);
        var keyPath = Path.Combine(stateDirectory, GeneratedKeyFile);
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Environment.MachineName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Environment.MachineName);
        names.AddDnsName(Environment.MachineName + ".local");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        ConfigStore.WriteAtomically(keyPath, System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        ConfigStore.WriteAtomically(certPath, System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Intercom.TestSupport;

/// <summary>A throwaway CA and a server certificate for 127.0.0.1/localhost, written as PEM files for peers such as Kamailio.</summary>
public sealed class TestCertificates
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string CertificateFile => Path.Combine(Directory, "server.pem");

    public string PrivateKeyFile => Path.Combine(Directory, "server.key");

    /// <summary>SHA-256 fingerprint of the server certificate, hex.</summary>
    public string ServerFingerprint { get; private set; } = "";

    public static TestCertificates Create(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var result = new TestCertificates(directory);
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Intercom Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var server = request.Create(ca, now.AddDays(-1), now.AddDays(30), serial);

        File.WriteAllText(result.CaFile, ca.ExportCertificatePem());
        File.WriteAllText(result.CertificateFile, server.ExportCertificatePem());
        File.WriteAllText(result.PrivateKeyFile, key.ExportPkcs8PrivateKeyPem());
        result.ServerFingerprint = Convert.ToHexString(SHA256.HashData(server.RawData));
        return result;
    }
}

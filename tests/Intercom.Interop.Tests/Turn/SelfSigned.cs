using System.Security.Cryptography.X509Certificates;

namespace Intercom.Interop.Tests.Turn;

/// <summary>
/// A self-signed certificate for coturn's TLS listener, made with `openssl req` into a temporary directory; only the test
/// trusts it (as the one root of <c>TurnTlsOptions</c>), never the system.
/// </summary>
internal sealed class SelfSigned : IDisposable
{
    private SelfSigned(string directory, X509Certificate2 certificate)
    {
        Directory = directory;
        Certificate = certificate;
    }

    public string Directory { get; }

    public string CertificateFile => Path.Combine(Directory, "cert.pem");

    public string KeyFile => Path.Combine(Directory, "key.pem");

    public X509Certificate2 Certificate { get; }

    public static SelfSigned Create(string name)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"intercom-turn-tls-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        using var openssl = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", $"/CN={name}", "-addext", $"subjectAltName=DNS:{name}",
             "-keyout", Path.Combine(directory, "key.pem"), "-out", Path.Combine(directory, "cert.pem")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        string error = openssl.StandardError.ReadToEnd();
        if (!openssl.WaitForExit(30_000) || openssl.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl req failed: {error}");
        }

        return new SelfSigned(directory, X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "cert.pem")));
    }

    public void Dispose()
    {
        Certificate.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

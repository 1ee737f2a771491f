using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Intercom.Configuration;

namespace Intercom.Web.Tests;

/// <summary>HTTPS with no certificate configured: one is generated on first start, kept, and the cookie turns Secure.</summary>
public sealed class HttpsTests
{
    [Theory]
    [InlineData("{}", true)]
    [InlineData("""{ "web": { "port": 8443 } }""", true)]
    [InlineData("""{ "web": { "https": true } }""", true)]
    [InlineData("""{ "web": { "https": false } }""", false)]
    public void Https_is_the_default_and_plain_http_only_an_explicit_false(string json, bool https)
    {
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out var config, out var errors), string.Join("\n", errors));
        Assert.Equal(https, config!.Web.Https);
        // A saved file says so explicitly, so the choice survives a later change of default.
        Assert.Contains($"\"https\": {(https ? "true" : "false")}", ConfigLoader.Serialize(config), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_is_generated_on_first_start_and_the_session_cookie_is_secure()
    {
        await using var web = await StationWeb.StartAsync(c => c.Web.Https = true);
        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.RawData);
                return true;
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = web.Address };

        var secret = StationWeb.SetupSecretOf(web.Directory);
        using var setup = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: $"{{\"password\":\"{StationWeb.AdminPassword}\",\"setupSecret\":\"{secret}\"}}"));

        Assert.Equal("https", web.Address.Scheme);
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var cookie = Assert.Single(setup.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("__Host-intercom_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=", setup.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        var certPath = Path.Combine(web.Directory, "web-cert.pem");
        var keyPath = Path.Combine(web.Directory, "web-key.pem");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        using var stored = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certPath));
        Assert.NotNull(presented);
        Assert.Equal(stored.Thumbprint, presented.Thumbprint);
        var names = stored.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToList();
        Assert.Contains(Environment.MachineName + ".local", names);
        Assert.Contains("localhost", names);
        var logged = Assert.Single(web.Logs.Lines, l => l.Contains("fingerprint", StringComparison.Ordinal));
        Assert.StartsWith("Warning", logged, StringComparison.Ordinal); // at a first start as visible as the setup secret
        Assert.Contains(string.Join(':', stored.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256).Select(b => b.ToString("X2"))), logged, StringComparison.Ordinal);
        presented.Dispose();
    }
}

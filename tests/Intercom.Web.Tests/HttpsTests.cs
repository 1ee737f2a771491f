using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Intercom.Web.Tests;

/// <summary>HTTPS with no certificate configured: one is generated on first start, kept, and the cookie turns Secure.</summary>
public sealed class HttpsTests
{
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
        presented.Dispose();
    }
}

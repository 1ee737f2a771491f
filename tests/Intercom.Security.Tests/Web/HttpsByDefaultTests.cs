using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;

namespace Intercom.Security.Tests.Web;

/// <summary>
/// HTTPS is the default, not only the shipped file's choice: a configuration with no "web" section at all serves the
/// page over TLS on 0.0.0.0:8080 with a certificate the station made and whose fingerprint it logged, and plain HTTP on
/// that port gets no page. The station runs in a network namespace of its own, where 8080 is free whatever the test
/// machine runs.
/// </summary>
public sealed class HttpsByDefaultTests
{
    private const string NoWebSection = """
        {
          "name": "No web section",
          "audio": { "driver": "null" },
          "station": { "eventLog": { "persistPath": null } }
        }
        """;

    [Fact]
    public async Task A_configuration_without_a_web_section_serves_https_with_the_logged_certificate_and_no_plain_http()
    {
        using var ns = NetworkNamespace.Create("ic-https");
        await using var station = await AotStation.StartAsync(NoWebSection, ns);
        var logged = Regex.Match(await station.WaitForLineAsync("fingerprint", TimeSpan.FromSeconds(10)), "fingerprint ([0-9A-F:]{95})").Groups[1].Value;
        var endPoint = new IPEndPoint(IPAddress.Loopback, 8080);

        // TLS: the handshake succeeds with the certificate whose fingerprint the journal shows, and the page answers.
        string? presented = null;
        string response;
        using (var socket = await ns.ConnectTcpAsync(endPoint, TimeSpan.FromSeconds(10)))
        await using (var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), false, (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : string.Join(':', SHA256.HashData(certificate.GetRawCertData()).Select(b => b.ToString("X2")));
            return true;
        }))
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
            response = await ExchangeAsync(tls);
        }

        // Plain HTTP on the same port: no page (Kestrel takes the bytes for a failed TLS handshake and closes).
        string plain;
        using (var socket = await ns.ConnectTcpAsync(endPoint, TimeSpan.FromSeconds(10)))
        await using (var stream = new NetworkStream(socket, ownsSocket: false))
        {
            try
            {
                plain = await ExchangeAsync(stream);
            }
            catch (IOException)
            {
                plain = "";
            }
        }

        Assert.Equal(logged, presented);
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("\"setupRequired\":true", response, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1.1 200", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("setupRequired", plain, StringComparison.Ordinal);
        Assert.Equal(1, station.Count(@"page and API on https://0\.0\.0\.0:8080"));
        Assert.True(File.Exists(Path.Combine(station.Directory, "web-cert.pem")));
    }

    private static async Task<string> ExchangeAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /api/session HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n"), timeout.Token);
        await stream.FlushAsync(timeout.Token);
        using var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Intercom.Interop.Tests.Peers;
using Intercom.Interop.Tests.Ship;
using Intercom.Security.Tests.Harness;

namespace Intercom.Security.Tests.Web;

/// <summary>
/// The first start, HTTPS and the login throttle, against the published binary: whoever reaches the port first cannot
/// claim the station without the setup secret from its log or its configuration directory; the shipped configuration
/// serves HTTPS with a certificate whose fingerprint the log shows; concurrent wrong passwords get no more guesses.
/// </summary>
public sealed class FirstStartAndLoginTests
{
    [Fact]
    public async Task The_first_password_is_set_only_with_the_setup_secret_from_the_log_or_the_0600_file()
    {
        var (station, port) = await WebStation.StartAsync();
        await using var _ = station;
        var file = Path.Combine(station.Directory, "web-setup-secret");
        var line = await station.WaitForLineAsync("FIRST START", TimeSpan.FromSeconds(10));
        var logged = Regex.Match(line, "Setup secret: ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){4})").Groups[1].Value;

        var without = await RawHttp.SendAsync(port, "POST", "/api/setup", $"{{\"password\":\"{WebStation.AdminPassword}\"}}");
        var guessed = await RawHttp.SendAsync(port, "POST", "/api/setup", $"{{\"password\":\"attacker password\",\"setupSecret\":\"AAAA-BBBB-CCCC-DDDD-EEEE\"}}");
        var stillOpen = await RawHttp.SendAsync(port, "GET", "/api/session");

        Assert.Equal(401, without.Status);
        Assert.Equal(401, guessed.Status);
        Assert.True(JsonDocument.Parse(stillOpen.Body).RootElement.GetProperty("setupRequired").GetBoolean());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(logged, (await File.ReadAllTextAsync(file)).Trim());

        await WebStation.SetupAsync(station, port);
        Assert.False(File.Exists(file));
        var again = await RawHttp.SendAsync(port, "POST", "/api/setup", $"{{\"password\":\"attacker password\",\"setupSecret\":\"{logged}\"}}");
        Assert.Equal(409, again.Status);
    }

    [Fact]
    public async Task The_shipped_configuration_serves_https_with_a_certificate_whose_fingerprint_is_logged()
    {
        // The example as shipped (the Debian package installs it as /etc/intercom/intercom.json), moved to loopback ports.
        var example = JsonNode.Parse(await File.ReadAllTextAsync(PublishedStation.ExampleConfig), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        Assert.True((bool)example["web"]!["https"]!);
        var port = FreePort.Next();
        example["sip"]!["listen"] = JsonNode.Parse("""[ { "transport": "udp", "address": "127.0.0.1", "port": 0 } ]""");
        example["web"]!["address"] = "127.0.0.1";
        example["web"]!["port"] = port;
        example["audio"]!["driver"] = "null";
        await using var station = await AotStation.StartAsync(example.ToJsonString());
        var logged = Regex.Match(await station.WaitForLineAsync("fingerprint", TimeSpan.FromSeconds(10)), "fingerprint ([0-9A-F:]{95})").Groups[1].Value;

        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.RawData);
                return true;
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
        using var session = await client.GetAsync("/api/session");
        // Plain HTTP on that port gets no page: the password and the cookie never cross the LAN in clear by default.
        RawHttp.Response? plain = null;
        try
        {
            plain = await RawHttp.SendAsync(port, "GET", "/api/session");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
        }


        Assert.Equal(System.Net.HttpStatusCode.OK, session.StatusCode);
        Assert.NotNull(presented);
        Assert.Equal(logged, string.Join(':', presented.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2"))));
        Assert.True(plain is null || plain.Status != 200, $"plain HTTP answered {plain?.Status}");

        var setup = await WebStation.SetupAsync(station, port, tls: true);
        Assert.StartsWith("__Host-intercom_session=", setup, StringComparison.Ordinal);
        presented.Dispose();
    }

    [Fact]
    public async Task Concurrent_wrong_passwords_get_no_more_guesses_than_the_limit()
    {
        var (station, port) = await WebStation.StartAsync();
        await using var _ = station;
        await WebStation.SetupAsync(station, port);

        var guesses = Enumerable.Range(0, 24).Select(i => RawHttp.SendAsync(port, "POST", "/api/login", $"{{\"password\":\"wrong guess {i}\"}}"));
        var statuses = (await Task.WhenAll(guesses)).Select(r => r.Status).ToList();
        var right = await RawHttp.SendAsync(port, "POST", "/api/login", $"{{\"password\":\"{WebStation.AdminPassword}\"}}");

        // Five free failures (the fifth already answers 429 with the wait), every other guess refused unhashed.
        Assert.True(statuses.Count(s => s == 401) <= 4, string.Join(",", statuses));
        Assert.Equal(24, statuses.Count(s => s is 401 or 429));
        Assert.Equal(5, station.Count("wrong password from"));
        Assert.Equal(429, right.Status);
    }
}

using System.Text.Json;
using Intercom.Interop.Tests.Peers;
using Intercom.Security.Tests.Harness;

namespace Intercom.Security.Tests.Web;

/// <summary>The published binary with its web page on a free loopback port, simulated board, no SIP peers needed.</summary>
internal static class WebStation
{
    public const string AdminPassword = "correct horse battery";

    /// <summary>A configuration with the web server on <paramref name="port"/>; <paramref name="extraStation"/> is added to "station".</summary>
    public static string Config(int port, bool https = false, string extraStation = "", string extraTop = "") => $$"""
        {
          "name": "Security test door",
          "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 0 } ] },
          "audio": { "driver": "null" },
          "station": {
            "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1:9" ] } ],
            "codes": [ { "id": "resident", "code": "4711", "relay": "door" } ],
            {{extraStation}}
            "eventLog": { "persistPath": null }
          },
          {{extraTop}}
          "web": { "enabled": true, "address": "127.0.0.1", "port": {{port}}, "https": {{(https ? "true" : "false")}} }
        }
        """;

    public static async Task<(AotStation Station, int Port)> StartAsync(bool https = false, string extraStation = "", string extraTop = "")
    {
        var port = FreePort.Next();
        var station = await AotStation.StartAsync(Config(port, https, extraStation, extraTop));
        return (station, port);
    }

    /// <summary>First start: the admin password set with the setup secret the station wrote beside its configuration (when it has one).</summary>
    public static Task<string> SetupAsync(AotStation station, int port, bool tls = false) => SetupAsync(station.Directory, port, tls);

    /// <summary>First start in <paramref name="directory"/>: the admin password set with the setup secret kept there.</summary>
    public static async Task<string> SetupAsync(string directory, int port, bool tls = false)
    {
        var secretFile = Path.Combine(directory, "web-setup-secret");
        var secret = File.Exists(secretFile) ? (await File.ReadAllTextAsync(secretFile)).Trim() : null;
        var body = JsonSerializer.Serialize(new Dictionary<string, string?> { ["password"] = AdminPassword, ["setupSecret"] = secret });
        var response = await RawHttp.SendAsync(port, "POST", "/api/setup", body, tls: tls);
        Assert.True(response.Status == 200, $"setup: {response.Status} {response.Body}");
        return CookieAndCsrf(response);
    }

    public static async Task<string> LoginAsync(int port, bool tls = false)
    {
        var response = await RawHttp.SendAsync(port, "POST", "/api/login", $"{{\"password\":\"{AdminPassword}\"}}", tls: tls);
        Assert.True(response.Status == 200, $"login: {response.Status} {response.Body}");
        return CookieAndCsrf(response);
    }

    /// <summary>Headers that make a request come from the logged-in page: its session cookie and CSRF token.</summary>
    public static Dictionary<string, string> PageHeaders(string session) => new()
    {
        ["Cookie"] = session.Split('|')[0],
        ["X-CSRF-Token"] = session.Split('|')[1],
    };

    /// <summary>An API token the logged-in page creates with <paramref name="scopes"/> (JSON strings: "\"operate\"").</summary>
    public static async Task<string> TokenAsync(int port, string page, string scopes)
    {
        var created = await RawHttp.SendAsync(port, "POST", "/api/tokens", $$"""{"name":"attack {{scopes.Length}}","scopes":[{{scopes}}]}""", PageHeaders(page));
        Assert.True(created.Status == 201, $"token: {created.Status} {created.Body}");
        return JsonDocument.Parse(created.Body).RootElement.GetProperty("token").GetString()!;
    }

    public static Dictionary<string, string> Bearer(string token) => new() { ["Authorization"] = "Bearer " + token };

    // "cookie-name=value|csrf"
    private static string CookieAndCsrf(RawHttp.Response response)
    {
        var cookie = response.Header("Set-Cookie")!.Split(';')[0];
        var csrf = JsonDocument.Parse(response.Body).RootElement.GetProperty("csrf").GetString()!;
        return cookie + "|" + csrf;
    }
}

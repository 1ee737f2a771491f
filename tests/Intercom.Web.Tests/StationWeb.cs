using Intercom.Configuration.Applying;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Web.Tests;

/// <summary>
/// The real station (StationApp on the simulated board, SIP on loopback) behind the real Kestrel on a free loopback
/// port, with two residents' phones, a configuration file in a temporary directory, and every HTTP response and log
/// line recorded so a test can prove that no password ever left the station.
/// </summary>
internal sealed class StationWeb : IAsyncDisposable
{
    public const string SipPassword = "Sip-Secret-7f3a9q";
    public const string AdminPassword = "correct horse battery";

    /// <summary>The DTMF code of the door (entry "code1": the store names it on save). Letters, so no number or time in a response matches it by chance.</summary>
    public const string DoorCode = "A7C9D1B3";

    /// <summary>A keypad code (entry "cleaner") for tests that enable the keypad.</summary>
    public const string KeypadCode = "80529163";

    // Which station directory serves which address: SetupAsync finds the setup secret from a client's base address.
    private static readonly ConcurrentDictionary<Uri, string> Directories = new();

    private readonly ILoggerFactory _logs;
    private readonly ConcurrentDictionary<HttpClient, CookieContainer> _jars = new();

    private StationWeb(string directory, ConfigStore store, StationApp app, WebServer web, TestPhone resident, TestPhone concierge, CapturedLogs captured, ILoggerFactory logs)
    {
        Directory = directory;
        Store = store;
        App = app;
        Web = web;
        Resident = resident;
        Concierge = concierge;
        Logs = captured;
        _logs = logs;
    }

    public string Directory { get; }

    public ConfigStore Store { get; }

    public StationApp App { get; }

    public WebServer Web { get; }

    public TestPhone Resident { get; }

    public TestPhone Concierge { get; }

    public CapturedLogs Logs { get; }

    /// <summary>The web layer's clock (sessions, login throttling).</summary>
    public static FakeTimeProvider NewClock() => new(DateTimeOffset.UtcNow);

    public FakeTimeProvider Time { get; private init; } = null!;

    public Uri Address => Web.Address;

    /// <summary>Every response body seen by clients made with <see cref="NewClient"/>, with its request.</summary>
    public ConcurrentQueue<(string Request, string Body)> Responses { get; } = new();

    public static async Task<StationWeb> StartAsync(Action<IntercomConfig>? change = null, Func<IntercomConfig, Task<IReadOnlyList<string>>>? reconfigureIntegrations = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "intercom-web-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var resident = new TestPhone("resident", 42000);
        var concierge = new TestPhone("concierge", 43000);
        var config = new IntercomConfig { Name = "Test door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts = [new SipAccountConfig { Id = "pbx", Aor = "sip:door@127.0.0.1", Username = "door", Password = SipPassword, Register = false }];
        config.Media.Codecs = ["pcmu"];
        config.Media.RtpPortMin = 44000;
        config.Media.RtpPortMax = 44999;
        config.Station.RingGroups =
        [
            new RingGroupConfig { Id = "residents", Targets = [resident.Uri] },
            new RingGroupConfig { Id = "concierge", Targets = [concierge.Uri] },
        ];
        config.Station.Codes = [new CodeConfig { Code = DoorCode, Relay = "door" }];
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        config.Web.Address = "127.0.0.1";
        config.Web.Port = 0;
        // Plain HTTP, explicitly (HTTPS is the default): most tests are about the API, not the transport; HttpsTests and
        // the browser's HTTPS test turn it back on.
        config.Web.Https = false;
        change?.Invoke(config);

        var store = new ConfigStore(Path.Combine(directory, "intercom.json"));
        Assert.True(store.TrySave(config, out var errors), string.Join("\n", errors));
        var captured = new CapturedLogs();
        var logs = LoggerFactory.Create(b => b.AddProvider(captured).SetMinimumLevel(LogLevel.Trace));
        var clock = NewClock();
        var app = StationApp.Start(config, simulate: true, logs);
        var configuration = reconfigureIntegrations is null
            ? LiveConfiguration.For(app, store)
            : LiveConfiguration.For(app, store, new FakeIntegrationsPart(reconfigureIntegrations));
        var web = await WebHosting.StartAsync(app, store, logs, clock, configuration);
        Assert.NotNull(web);
        Directories[web.Address] = directory;
        return new StationWeb(directory, store, app, web, resident, concierge, captured, logs) { Time = clock };
    }

    /// <summary>A client with its own cookie jar, recording every response.</summary>
    public HttpClient NewClient()
    {
        var jar = new CookieContainer();
        var handler = new Recorder(Responses) { InnerHandler = new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false } };
        var client = new HttpClient(handler) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(20) };
        _jars[client] = jar;
        return client;
    }

    /// <summary>The session cookie a client holds now.</summary>
    public string? SessionCookieOf(HttpClient client) => _jars[client].GetCookies(Address)["intercom_session"]?.Value;

    public static HttpRequestMessage Request(HttpMethod method, string path, string? csrf = null, string? json = null, string? token = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>The first-start setup secret the station wrote beside its configuration (the owner reads it there or in the log).</summary>
    public static string SetupSecretOf(string directory) => File.ReadAllText(Path.Combine(directory, "web-setup-secret")).Trim();

    /// <summary>The body of POST /api/setup with the station's setup secret.</summary>
    public static string SetupBody(Uri station, string password = AdminPassword) =>
        $"{{\"password\":\"{password}\",\"setupSecret\":\"{SetupSecretOf(Directories[station])}\"}}";

    /// <summary>First start: sets the admin password with the setup secret; returns the CSRF token of the session it opens.</summary>
    public static async Task<string> SetupAsync(HttpClient client)
    {
        using var response = await client.SendAsync(Request(HttpMethod.Post, "/api/setup", json: SetupBody(client.BaseAddress!)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Json.Parse(await response.Content.ReadAsStringAsync()).GetProperty("csrf").GetString()!;
    }

    public static async Task<string> LoginAsync(HttpClient client, string password = AdminPassword)
    {
        using var response = await client.SendAsync(Request(HttpMethod.Post, "/api/login", json: $"{{\"password\":\"{password}\"}}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Json.Parse(await response.Content.ReadAsStringAsync()).GetProperty("csrf").GetString()!;
    }

    /// <summary>Completes when the relay is next energised (bounded by the caller's wait).</summary>
    public Task RelayEnergised(string relayId)
    {
        var energised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        App.Board.RelayChanged += (_, e) =>
        {
            if (e.RelayId == relayId && e.Energised)
            {
                energised.TrySetResult();
            }
        };
        return energised.Task;
    }

    /// <summary>No response (but an explicitly requested backup with secrets) and no log line holds a password or a door code.</summary>
    public void AssertNoSecretLeaked(IEnumerable<string>? streamed = null)
    {
        string[] secrets = [SipPassword, AdminPassword, DoorCode, KeypadCode];
        foreach (var (request, body) in Responses)
        {
            if (request.Contains("secrets=true", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            }
        }

        foreach (var text in Logs.Lines.Concat(streamed ?? []))
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {

        await Web.DisposeAsync();
        App.Dispose();
        Resident.Dispose();
        Concierge.Dispose();
        _logs.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Recorder(ConcurrentQueue<(string, string)> responses) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                // Buffered so the body can be read here and again by the test.
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                responses.Enqueue((request.RequestUri!.ToString(), await response.Content.ReadAsStringAsync(cancellationToken)));
            }

            return response;
        }
    }
}

/// <summary>Stands in for MQTT and webhooks in the pipeline: a test says what they apply.</summary>
internal sealed class FakeIntegrationsPart(Func<IntercomConfig, Task<IReadOnlyList<string>>> apply) : ILiveConfigPart
{
    public IReadOnlyCollection<string> LiveSections { get; } = ["mqtt", "webhooks", "name"];

    public Task<IReadOnlyList<string>> ApplyAsync(IntercomConfig config, ConfigDiff diff) => apply(config);
}

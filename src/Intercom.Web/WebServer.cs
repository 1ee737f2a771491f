using System.Net;
using Intercom.Web.Api;
using Intercom.Web.Routing;
using Intercom.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Intercom.Web;

/// <summary>
/// The web page and the HTTP API on one port: Kestrel's core in a bare generic host, <see cref="RequestRouter"/>, plain
/// request delegates, no MVC, no reflection. Started by the app once the station runs, stopped before the station is.
/// </summary>
public sealed partial class WebServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    private const string StateFileName = "web-state.json";

    private readonly IHost _app;
    private readonly EventStream _stream;
    private readonly Reset _reset;

    private WebServer(IHost app, EventStream stream, Uri address, IReadOnlyList<RouteSpec> routes, Reset reset)
    {
        _app = app;
        _stream = stream;
        Address = address;
        Routes = routes;
        _reset = reset;
    }

    /// <summary>The routes this server answers, with who may call each (tests check it against <see cref="WebRoutes.All"/>).</summary>
    internal IReadOnlyList<RouteSpec> Routes { get; }

    /// <summary>Where the page is served (with the real port when the configuration asked for port 0).</summary>
    public Uri Address { get; }

    /// <summary>Bytes of the embedded page (HTML, CSS and JavaScript together).</summary>
    public static int PageBytes => new StaticAssets().TotalBytes;

    public static async Task<WebServer> StartAsync(IStationControl station, WebServerOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(station);
        ArgumentNullException.ThrowIfNull(options);
        var web = station.Config.Web;
        var certificate = web.Https ? HttpsCertificate.LoadOrCreate(web, options.StateDirectory) : null;
        var log = options.Logs.CreateLogger("web");
        var state = new WebStateStore(Path.Combine(options.StateDirectory, StateFileName), options.Time);
        if (state.LoadError is { } error)
        {
            LogStateUnreadable(log, error);
        }

        // First start: the one-time setup secret, shown once here (the journal, the console) and kept in a 0600 file.
        var setupSecret = state.SetupRequired ? SetupSecret.LoadOrCreate(options.StateDirectory) : null;
        if (setupSecret is not null)
        {
            LogSetupSecret(log, setupSecret.Text, setupSecret.Path);
        }

        var fingerprint = certificate is null ? null : HttpsCertificate.Fingerprint(certificate);
        if (certificate is not null)
        {
            // At a first start as visibly as the setup secret: the owner compares it with the browser's before typing the secret.
            LogCertificate(log, setupSecret is null ? LogLevel.Information : LogLevel.Warning, fingerprint!, certificate.Subject);
        }

        var sessions = new SessionStore(options.Time, TimeSpan.FromMinutes(web.SessionIdleMinutes));
        var guard = new RequestGuard(sessions, state, certificate is not null, log);
        // The stream's status poll is a real-time push cadence, not station logic: always the system clock.
        var stream = new EventStream(station, TimeProvider.System);
        var assets = new StaticAssets();
        var api = new WebApi(station, state, sessions, new LoginThrottle(options.Time), new LoginThrottle(options.Time), guard, stream, setupSecret, log);
        var routes = new RequestRouter(guard.AuthorizeAsync);
        api.Map(routes);
        routes.Map(WebRoutes.Page, assets.ServeAsync);
        routes.Map(WebRoutes.Script, assets.ServeAsync);
        routes.Map(WebRoutes.Style, assets.ServeAsync);
        var sipWebSocket = new Sip.SipWebSocketEndpoint(web.SipWebSocket ? options.SipWebSocket : null, certificate is not null, web.SipWebSocketPlain, sessions, options.Time, log);
        routes.Map(WebRoutes.SipWebSocket, sipWebSocket.ServeAsync);
        var hostFilter = new HostFilter(web.AllowedHosts, options.Time, log);

        // The generic host with a web host of Kestrel's core and nothing else: WebApplication (even its empty builder)
        // brings endpoint routing with its regex constraints and the developer exception page: 0.46 MB of the AOT binary
        // (README "Size"). No configuration sources at all, so no ASPNETCORE_/DOTNET_ variable can move the port.
        var app = new HostBuilder()
            .UseContentRoot(AppContext.BaseDirectory)
            .UseEnvironment(Environments.Production)
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(new ForwardingLoggerProvider(options.Logs));
                logging.SetMinimumLevel(LogLevel.Warning);
            })
            .ConfigureServices(services => services.AddSingleton<IHostLifetime, AppOwnedLifetime>())
            .ConfigureWebHost(
                webHost =>
                {
                    webHost.UseKestrelCore();
                    if (certificate is not null)
                    {
                        webHost.UseKestrelHttpsConfiguration();
                    }

                    webHost.ConfigureKestrel(kestrel =>
                    {
                        kestrel.AddServerHeader = false;
                        kestrel.Limits.MaxRequestBodySize = Configuration.ConfigLoader.MaxFileBytes;
                        kestrel.Limits.MaxConcurrentConnections = 64;
                        kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
                        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
                        kestrel.Listen(IPAddress.Parse(web.Address), web.Port, listen =>
                        {
                            if (certificate is not null)
                            {
                                listen.UseHttps(certificate);
                            }
                        });
                    });
                    webHost.Configure(pipeline =>
                    {
                        pipeline.Use(hostFilter.InvokeAsync);
                        pipeline.Use(guard.InvokeAsync);
                        // Only the upgrade machinery: which requests may upgrade is SipWebSocketEndpoint's decision.
                        pipeline.UseWebSockets();
                        pipeline.Run(routes.DispatchAsync);
                    });
                },
                webHostOptions => webHostOptions.SuppressEnvironmentConfiguration = true)
            .Build();
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            stream.Dispose();
            await DisposeHostAsync(app).ConfigureAwait(false);
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var address = new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal));
        LogListening(log, bound, state.SetupRequired ? " (first start: open the page and set the admin password with the setup secret)" : "");
        return new WebServer(app, stream, address, routes.Routes, new Reset(options.StateDirectory, state, sessions, api, stream, fingerprint, certificate?.Subject, log));
    }

    /// <summary>
    /// The physical reset (the exit button held at start; docs/security.md), on the running page: a new setup secret,
    /// then the admin password and every API token cleared, then every page session ended (their event streams with
    /// them). The page is at its first start again and asks for a new password with the new secret, which is logged
    /// here as at a first start (and kept in web-setup-secret, 0600).
    /// </summary>
    public void ResetAdmin()
    {
        var r = _reset;

        // The secret first: from the moment the password is gone, only the new secret sets one.
        var secret = SetupSecret.Renew(r.StateDirectory);
        r.Api.RenewSetupSecret(secret);
        r.State.ResetAdmin();
        r.Sessions.EndAllExcept(null);
        r.Stream.CallersChanged();
        LogReset(r.Log, r.State.Path);
        LogSetupSecret(r.Log, secret.Text, secret.Path);
        if (r.Fingerprint is { } fingerprint)
        {
            LogCertificate(r.Log, LogLevel.Warning, fingerprint, r.Subject!);
        }
    }

    /// <summary>
    /// The physical reset while the page is not running (web.enabled false, or it could not start): the admin password
    /// and the API tokens are cleared from the state file in <paramref name="stateDirectory"/> and the old setup secret
    /// removed; the page makes and logs a new one at its next start.
    /// </summary>
    public static void ResetAdmin(string stateDirectory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(stateDirectory);
        var path = Path.Combine(stateDirectory, StateFileName);
        if (File.Exists(path))
        {
            new WebStateStore(path, time).ResetAdmin();
        }

        SetupSecret.Discard(stateDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        // The event streams end first, or the graceful stop would wait for them.
        _stream.Dispose();
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await DisposeHostAsync(_app).ConfigureAwait(false);
    }

    // IHost is only IDisposable, and the host's Dispose blocks on its own DisposeAsync (Kestrel's services dispose
    // asynchronously): call that directly.
    private static ValueTask DisposeHostAsync(IHost host)
    {
        if (host is IAsyncDisposable asynchronous)
        {
            return asynchronous.DisposeAsync();
        }

        host.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "web: page and API on {Address}{FirstStart}")]
    private static partial void LogListening(ILogger logger, string address, string firstStart);

    // Warning, the journal's most visible level below errors: the owner must find it (the app's levels have no notice).
    [LoggerMessage(Level = LogLevel.Warning, Message = "web: FIRST START: no admin password yet. Setup secret: {Secret} (also in {Path}, mode 0600); enter it on the page with the new password")]
    private static partial void LogSetupSecret(ILogger logger, string secret, string path);

    [LoggerMessage(Message = "web: HTTPS certificate SHA-256 fingerprint {Fingerprint} ({Subject}); compare it with the one the browser shows")]
    private static partial void LogCertificate(ILogger logger, LogLevel level, string fingerprint, string subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: PHYSICAL RESET: the admin password and every API token are cleared ({Path}), every page session ended")]
    private static partial void LogReset(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Critical, Message = "web: {Error}; login is disabled until the file is fixed or removed (or the physical reset)")]
    private static partial void LogStateUnreadable(ILogger logger, string error);

    // What the physical reset touches on the running page.
    private sealed record Reset(string StateDirectory, WebStateStore State, SessionStore Sessions, WebApi Api, EventStream Stream, string? Fingerprint, string? Subject, ILogger Log);
}

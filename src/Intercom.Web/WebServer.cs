using System.Net;
using Intercom.Web.Api;
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
/// The web page and the HTTP API on one port: Kestrel through <see cref="WebApplication.CreateEmptyBuilder"/>, plain
/// request delegates, no MVC, no reflection. Started by the app once the station runs, stopped before the station is.
/// </summary>
public sealed partial class WebServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    private readonly WebApplication _app;
    private readonly EventStream _stream;

    private WebServer(WebApplication app, EventStream stream, Uri address)
    {
        _app = app;
        _stream = stream;
        Address = address;
    }

    /// <summary>Where the page is served (with the real port when the configuration asked for port 0).</summary>
    public Uri Address { get; }

    /// <summary>Bytes of the embedded page (HTML, CSS and JavaScript together).</summary>
    public static int PageBytes => new StaticAssets().TotalBytes;

    public static async Task<WebServer> StartAsync(IStationControl station, WebServerOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(station);
        ArgumentNullException.ThrowIfNull(options);
        var web = station.Config.Web;
        // The empty builder with only what is used (Kestrel's core, the app's logging; routes are RequestRouter's): the slim
        // builder's configuration sources and binding, console logging, endpoint routing and the rest cost the AOT binary
        // 1.5 MB (README "Size").
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseKestrelCore();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(options.Logs));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, AppOwnedLifetime>();
        var certificate = web.Https ? HttpsCertificate.LoadOrCreate(web, options.StateDirectory) : null;
        if (certificate is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
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

        var app = builder.Build();
        var log = options.Logs.CreateLogger("web");
        var state = new WebStateStore(Path.Combine(options.StateDirectory, "web-state.json"), options.Time);
        if (state.LoadError is { } error)
        {
            LogStateUnreadable(log, error);
        }

        var sessions = new SessionStore(options.Time, TimeSpan.FromMinutes(web.SessionIdleMinutes));
        var guard = new RequestGuard(sessions, state, certificate is not null, log);
        // The stream's status poll is a real-time push cadence, not station logic: always the system clock.
        var stream = new EventStream(station, TimeProvider.System);
        var assets = new StaticAssets();
        var api = new WebApi(station, state, sessions, new LoginThrottle(options.Time), guard, stream, log);
        var routes = new RequestRouter();
        api.Map(routes);
        routes.MapGet("/", assets.ServeAsync);
        routes.MapGet("/app.js", assets.ServeAsync);
        routes.MapGet("/app.css", assets.ServeAsync);
        app.Use(new HostFilter(web.AllowedHosts, options.Time, log).InvokeAsync);
        app.Use(guard.InvokeAsync);
        app.Run(routes.DispatchAsync);
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            stream.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var address = new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal));
        LogListening(log, bound, state.SetupRequired ? " (first start: open the page to set the admin password)" : "");
        return new WebServer(app, stream, address);
    }

    public async ValueTask DisposeAsync()
    {
        // The event streams end first, or the graceful stop would wait for them.
        _stream.Dispose();
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "web: page and API on {Address}{FirstStart}")]
    private static partial void LogListening(ILogger logger, string address, string firstStart);

    [LoggerMessage(Level = LogLevel.Critical, Message = "web: {Error}; login is disabled until the file is fixed or removed")]
    private static partial void LogStateUnreadable(ILogger logger, string error);
}

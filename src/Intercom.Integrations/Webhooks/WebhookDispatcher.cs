using System.Text.Json;
using Intercom.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Integrations.Webhooks;

/// <summary>
/// Sends the station's events to the configured webhooks: each event is serialised once (source-generated JSON, the same
/// body MQTT publishes) and queued to every endpoint that wants its kind. The station's thread only serialises and
/// queues; delivery, timeouts and retries happen on one background task per endpoint.
/// </summary>
public sealed class WebhookDispatcher : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    private readonly StationFeed _feed;
    private readonly string _stationName;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _workers = [];
    private int _disposed;

    /// <param name="config">The validated "webhooks" section.</param>
    /// <param name="stationName">The station's name, sent in every body.</param>
    /// <param name="feed">The station's events.</param>
    /// <param name="time">Clock for timeouts, retry waits and signature timestamps.</param>
    /// <param name="log">Diagnostics; never given a secret or a URL path.</param>
    /// <param name="handler">The HTTP handler (tests pass their own); by default one without redirects or cookies.</param>
    public WebhookDispatcher(WebhooksConfig config, string stationName, StationFeed feed, TimeProvider time, ILogger? log = null,
        HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(stationName);
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(time);
        log ??= NullLogger.Instance;
        _feed = feed;
        _stationName = stationName;

        // No redirects: a redirect would carry the signature and the configured headers to a host nobody configured.
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            // Each attempt has its own timeout on the station's clock.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Intercom");
        var endpoints = new List<WebhookEndpoint>();
        for (var i = 0; i < config.Endpoints.Count; i++)
        {
            var endpoint = new WebhookEndpoint(i, config.Endpoints[i], _http, time, log);
            endpoint.AttemptCompleted += (_, attempt) => AttemptCompleted?.Invoke(this, attempt);
            endpoints.Add(endpoint);
        }

        Endpoints = endpoints;
        _feed.EventRaised += OnEvent;
    }

    public IReadOnlyList<WebhookEndpoint> Endpoints { get; }

    /// <summary>Raised on the endpoint's worker after every POST (for tests and the status page).</summary>
    public event EventHandler<WebhookAttempt>? AttemptCompleted;

    /// <summary>Starts one worker per endpoint.</summary>
    public void Start()
    {
        if (_workers.Count > 0)
        {
            return;
        }

        foreach (var endpoint in Endpoints)
        {
            _workers.Add(Task.Run(() => endpoint.RunAsync(_stopping.Token)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _feed.EventRaised -= OnEvent;
        foreach (var endpoint in Endpoints)
        {
            endpoint.Complete();
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).WaitAsync(StopTimeout).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _http.Dispose();
        _stopping.Dispose();
    }

    private void OnEvent(object? sender, IntegrationEvent e)
    {
        byte[]? body = null;
        foreach (var endpoint in Endpoints)
        {
            if (!endpoint.Wants(e.Name))
            {
                continue;
            }

            body ??= JsonSerializer.SerializeToUtf8Bytes(EventPayload.From(e, _stationName), IntegrationsJsonContext.Default.EventPayload);
            endpoint.Enqueue(new WebhookDelivery(e.Name, e.Sequence, body));
        }
    }
}

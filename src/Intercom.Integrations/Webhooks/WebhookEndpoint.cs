using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Intercom.Configuration;
using Microsoft.Extensions.Logging;

namespace Intercom.Integrations.Webhooks;

/// <summary>
/// One webhook receiver with its own bounded queue and worker, so a slow or dead receiver delays only itself. Each
/// event is POSTed until a 2xx answer, a refusal for good (4xx other than 408/429) or the last attempt; between
/// attempts the wait doubles. Every attempt has its own timeout, connection included. The URL's path and query (often a
/// secret, as Home Assistant's webhook ids are), the secret and the header values are never logged.
/// </summary>
public sealed partial class WebhookEndpoint
{
    /// <summary>Events waiting for this receiver; beyond this, new ones are dropped and counted.</summary>
    public const int QueueCapacity = 64;

    private readonly WebhookEndpointConfig _config;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<WebhookDelivery> _queue;
    private readonly HashSet<string> _events;
    private readonly Uri _url;
    private long _delivered;
    private long _failed;
    private long _dropped;
    private long _attempts;

    internal WebhookEndpoint(int index, WebhookEndpointConfig config, HttpClient http, TimeProvider time, ILogger log)
    {
        Index = index;
        _config = config;
        _http = http;
        _time = time;
        _log = log;
        _url = new Uri(config.Url, UriKind.Absolute);
        Destination = $"{_url.Scheme}://{_url.Authority}";
        _events = new HashSet<string>(config.Events, StringComparer.Ordinal);
        _queue = Channel.CreateBounded<WebhookDelivery>(new BoundedChannelOptions(QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>Position in webhooks.endpoints.</summary>
    public int Index { get; }

    /// <summary>Scheme, host and port only: what the log may show.</summary>
    public string Destination { get; }

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events given up on.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Events dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public long Attempts => Interlocked.Read(ref _attempts);

    internal event EventHandler<WebhookAttempt>? AttemptCompleted;

    internal bool Wants(string eventName) => _events.Count == 0 || _events.Contains(eventName);

    /// <summary>Queues an event; never waits.</summary>
    internal void Enqueue(WebhookDelivery delivery)
    {
        if (!_queue.Writer.TryWrite(delivery) && Interlocked.Increment(ref _dropped) == 1)
        {
            LogQueueFull(_log, Index, Destination, QueueCapacity);
        }
    }

    internal void Complete() => _queue.Writer.TryComplete();

    internal async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var delivery in _queue.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                await DeliverAsync(delivery, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: what is still queued is lost, as it would be at a power cut.
        }
    }

    private async Task DeliverAsync(WebhookDelivery delivery, CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(_config.RetryDelaySeconds);
        for (var attempt = 1; ; attempt++)
        {
            var (status, retryable, reason) = await SendOnceAsync(delivery, stop).ConfigureAwait(false);
            if (status is >= 200 and < 300)
            {
                Interlocked.Increment(ref _delivered);
                AttemptCompleted?.Invoke(this, new WebhookAttempt(Index, delivery.Sequence, attempt, WebhookAttemptOutcome.Delivered, status));
                return;
            }

            if (!retryable || attempt >= _config.MaxAttempts)
            {
                Interlocked.Increment(ref _failed);
                LogGaveUp(_log, Index, Destination, delivery.EventName, attempt, reason);
                AttemptCompleted?.Invoke(this, new WebhookAttempt(Index, delivery.Sequence, attempt, WebhookAttemptOutcome.Failed, status));
                return;
            }

            LogRetrying(_log, Index, Destination, delivery.EventName, attempt, reason, delay.TotalSeconds);

            // The wait's timer exists before anyone hears of the retry, so a test's fake clock can move it on at once.
            var wait = Task.Delay(delay, _time, stop);
            AttemptCompleted?.Invoke(this, new WebhookAttempt(Index, delivery.Sequence, attempt, WebhookAttemptOutcome.Retrying, status));
            await wait.ConfigureAwait(false);
            delay *= 2;
        }
    }

    private async Task<(int? Status, bool Retryable, string Reason)> SendOnceAsync(WebhookDelivery delivery, CancellationToken stop)
    {
        Interlocked.Increment(ref _attempts);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_config.TimeoutSeconds), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, _url);
        var content = new ByteArrayContent(delivery.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Content = content;
        var unixSeconds = _time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation("X-Intercom-Event", delivery.EventName);
        request.Headers.TryAddWithoutValidation("X-Intercom-Timestamp", unixSeconds.ToString(CultureInfo.InvariantCulture));
        if (_config.Secret is { } secret)
        {
            request.Headers.TryAddWithoutValidation("X-Intercom-Signature", WebhookSignature.Compute(secret, unixSeconds, delivery.Body));
        }

        foreach (var (name, value) in _config.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            // RFC 9110 §15.5.9 408 and RFC 6585 §4 429 say "try again later", as does every 5xx; other 4xx will not change.
            var retryable = status is 408 or 429 or >= 500;
            return (status, retryable, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            return (null, true, $"no answer within {_config.TimeoutSeconds} s");
        }
        catch (HttpRequestException e)
        {
            // The message names the host, never the path; the inner socket error says what went wrong.
            return (null, true, e.HttpRequestError.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook {Index} ({Destination}): queue full ({Capacity}); events are dropped")]
    private static partial void LogQueueFull(ILogger logger, int index, string destination, int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "webhook {Index} ({Destination}): {Event} attempt {Attempt} failed ({Reason}); again in {Seconds} s")]
    private static partial void LogRetrying(ILogger logger, int index, string destination, string @event, int attempt, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook {Index} ({Destination}): {Event} not delivered after {Attempts} attempt(s) ({Reason})")]
    private static partial void LogGaveUp(ILogger logger, int index, string destination, string @event, int attempts, string reason);
}

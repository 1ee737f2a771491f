using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;

namespace Intercom.TestSupport;

/// <summary>
/// A webhook receiver on loopback (HttpListener): records each request and answers with the next scripted status
/// (200 when the script is empty); status 0 means "never answer" until the receiver is disposed.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    private readonly ConcurrentQueue<int> _script = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public WebhookReceiver(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue(status);
        }

        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort.Next();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Taken between the probe and the bind: another port.
            }
        }

        _serving = ServeAsync();
    }

    public int Port { get; }

    /// <summary>A URL whose path stands for a secret webhook id.</summary>
    public string Url => $"http://127.0.0.1:{Port}/api/webhook/secret-webhook-id";

    public async Task<ReceivedWebhook> NextAsync(double seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no webhook request within {seconds} s");
        }
    }

    public bool TryNext(out ReceivedWebhook? request) => _received.Reader.TryRead(out request);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // Close alone, not Stop then Close: the managed HttpListener removes its prefixes on each, and the second removal
        // binds the port again to look its endpoint up, failing with "Address already in use" when another test's
        // listener has taken the freed port in between (a CI run saw it). Close also ends the pending GetContextAsync.
        _listener.Close();
        await _serving.ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in context.Request.Headers.AllKeys)
        {
            headers[name!] = context.Request.Headers[name] ?? "";
        }

        await _received.Writer.WriteAsync(new ReceivedWebhook(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body.ToArray()));
        var status = _script.TryDequeue(out var scripted) ? scripted : 200;
        if (status == 0)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, _stop.Token); // hangs until the receiver is disposed
            }
            catch (OperationCanceledException)
            {
                context.Response.Abort();
                return;
            }
        }

        context.Response.StatusCode = status;
        context.Response.Close();
    }
}

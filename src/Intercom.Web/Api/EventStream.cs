using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Intercom.Station.Logging;
using Microsoft.AspNetCore.Http;

namespace Intercom.Web.Api;

/// <summary>
/// GET /api/events/stream: server-sent events (HTML Living Standard §9.2). Each client gets the status at once, then an
/// "event" message per logged event and a "status" message whenever the status changes (checked twice a second, as
/// registration and call state do not all pass through the log; only while a client is connected, so an idle station
/// with nobody watching is not woken twice a second), and a comment every 15 s so proxies keep it open.
/// A slow client loses its oldest queued messages instead of holding memory: the page reloads the status on the next one.
/// </summary>
internal sealed class EventStream : IDisposable
{
    private const int MaxClients = 16;
    private const int QueuePerClient = 64;
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    private readonly IStationControl _station;
    private readonly Lock _gate = new();
    private readonly List<Channel<string>> _clients = [];
    private readonly ITimer _poll;
    private string _lastStatus = "";

    public EventStream(IStationControl station, TimeProvider time)
    {
        _station = station;
        _station.EventAppended += OnEventAppended;
        _poll = time.CreateTimer(static s => ((EventStream)s!).PollStatus(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    // Written to every client to make it check at once whether its caller is still allowed (after a logout or a revocation).
    private const string Recheck = "";

    /// <summary>Streams to one client while <paramref name="stillAllowed"/> holds: a stream ends when its session or token does.</summary>
    public async Task ServeAsync(HttpContext context, Func<bool> stillAllowed)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(QueuePerClient) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            if (_clients.Count >= MaxClients)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            _clients.Add(channel);
            if (_clients.Count == 1)
            {
                _poll.Change(StatusPoll, StatusPoll);
            }
        }

        try
        {
            var response = context.Response;
            response.Headers.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-store";
            response.Headers["X-Accel-Buffering"] = "no";
            var aborted = context.RequestAborted;
            await WriteAsync(response, StatusMessage(_station.GetStatus()), aborted).ConfigureAwait(false);
            while (!aborted.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                beat.CancelAfter(Heartbeat);
                string message;
                try
                {
                    message = await channel.Reader.ReadAsync(beat.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    message = ": keep-alive\n\n";
                }

                if (!stillAllowed())
                {
                    break; // logged out, session expired or token revoked: the stream ends with it
                }

                if (message.Length > 0)
                {
                    await WriteAsync(response, message, aborted).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        catch (IOException)
        {
            // The connection broke while writing.
        }
        catch (ChannelClosedException)
        {
            // The server is stopping.
        }
        finally
        {
            lock (_gate)
            {
                if (_clients.Remove(channel) && _clients.Count == 0)
                {
                    _poll.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _lastStatus = "";
                }
            }
        }
    }

    /// <summary>Every stream checks its caller now (a session ended or a token was revoked).</summary>
    public void CallersChanged() => Broadcast(Recheck);

    public void Dispose()
    {
        _station.EventAppended -= OnEventAppended;
        _poll.Dispose();
        lock (_gate)
        {
            foreach (var c in _clients)
            {
                c.Writer.TryComplete();
            }
        }
    }

    private static async Task WriteAsync(HttpResponse response, string message, CancellationToken cancel)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(message), cancel).ConfigureAwait(false);
        await response.Body.FlushAsync(cancel).ConfigureAwait(false);
    }

    // JSON never holds a raw newline, so each message is one data line.
    private static string StatusMessage(StationView status) =>
        "event: status\ndata: " + JsonSerializer.Serialize(status, WebJsonContext.Default.StationView) + "\n\n";

    private void OnEventAppended(object? sender, StationEvent e)
    {
        var message = $"event: event\nid: {e.Sequence}\ndata: {JsonSerializer.Serialize(e, WebJsonContext.Default.StationEvent)}\n\n";
        Broadcast(message);
    }

    private void PollStatus()
    {
        lock (_gate)
        {
            if (_clients.Count == 0)
            {
                return; // the last client left as this fire was due
            }
        }

        var status = StatusMessage(_station.GetStatus());
        if (status != _lastStatus)
        {
            _lastStatus = status;
            Broadcast(status);
        }
    }

    private void Broadcast(string message)
    {
        lock (_gate)
        {
            foreach (var c in _clients)
            {
                c.Writer.TryWrite(message);
            }
        }
    }
}

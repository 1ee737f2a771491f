using System.Text.Json;

namespace Intercom.Web.Tests;

/// <summary>Reads GET /api/events/stream message by message (event name and JSON data).</summary>
internal sealed class EventStreamReader : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStreamReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<EventStreamReader> OpenAsync(HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStreamReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>Every line read so far, for tests that check what the stream carried.</summary>
    public List<string> Lines { get; } = [];

    /// <summary>The next message whose event name and data satisfy <paramref name="match"/> (bounded wait).</summary>
    public async Task<JsonElement> WaitForAsync(string eventName, Func<JsonElement, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        string? name = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the event stream ended");
            Lines.Add(line);
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name == eventName)
            {
                var data = Json.Parse(line[6..]);
                if (match(data))
                {
                    return data;
                }
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}

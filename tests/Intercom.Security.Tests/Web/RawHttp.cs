using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Intercom.Security.Tests.Web;

/// <summary>
/// HTTP/1.1 requests written byte for byte on a fresh connection, as an attacker would send them: the request target
/// goes out exactly as given (HttpClient's Uri would fold "/./", "//" and case in the host), so every spelling of a path
/// reaches the station as written. Optionally over TLS accepting any certificate (the station's own is self-signed).
/// </summary>
internal static class RawHttp
{
    public sealed record Response(int Status, string Head, string Body)
    {
        public string? Header(string name)
        {
            foreach (var line in Head.Split("\r\n"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return line[(colon + 1)..].Trim();
                }
            }

            return null;
        }
    }

    public static async Task<Response> SendAsync(int port, string method, string target, string? body = null,
        IReadOnlyDictionary<string, string>? headers = null, bool tls = false)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
        Stream stream = tcp.GetStream();
        if (tls)
        {
            var ssl = new SslStream(stream, false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
            stream = ssl;
        }

        await using (stream)
        {
            var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
            var request = new StringBuilder()
                .Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n")
                .Append("Host: 127.0.0.1:").Append(port).Append("\r\n")
                .Append("Connection: close\r\n");
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                request.Append(name).Append(": ").Append(value).Append("\r\n");
            }

            if (body is not null)
            {
                request.Append("Content-Type: application/json\r\n");
            }

            if (method != "GET" && method != "HEAD")
            {
                request.Append("Content-Length: ").Append(bytes.Length).Append("\r\n");
            }

            request.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), timeout.Token);
            await stream.WriteAsync(bytes, timeout.Token);
            await stream.FlushAsync(timeout.Token);

            using var received = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            try
            {
                while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
                {
                    received.Write(buffer, 0, read);
                    if (IsOpenEventStream(received))
                    {
                        break; // an event stream does not end: its status line and headers are the answer
                    }
                }
            }
            catch (IOException) when (received.Length > 0)
            {
                // The server closed with a reset after answering (Connection: close).
            }

            var text = Encoding.UTF8.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var head = end < 0 ? text : text[..end];
            var statusLine = head.Split("\r\n")[0].Split(' ');
            var status = statusLine.Length > 1 && int.TryParse(statusLine[1], out var s) ? s : 0;
            var content = end < 0 ? "" : text[(end + 4)..];
            var response = new Response(status, head, content);
            return response.Header("Transfer-Encoding") == "chunked" ? response with { Body = Unchunk(content) } : response;
        }
    }

    private static bool IsOpenEventStream(MemoryStream received)
    {
        var text = Encoding.UTF8.GetString(received.GetBuffer(), 0, (int)received.Length);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return end > 0 && text[..end].Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);
    }

    // RFC 9112 §7.1: size in hex, CRLF, data, CRLF; a zero size ends it.
    private static string Unchunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(chunked.AsSpan(at, lineEnd - at).Trim(), System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }

            body.Append(chunked, lineEnd + 2, Math.Min(size, chunked.Length - lineEnd - 2));
            at = lineEnd + 2 + size + 2;
        }

        return body.ToString();
    }
}

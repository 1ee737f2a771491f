using System.Net;
using System.Net.WebSockets;
using System.Text.Unicode;

namespace Intercom.Sip.Transport;

/// <summary>
/// SIP over WebSocket (RFC 7118): the connection's wire when the web server accepted a WebSocket with the "sip"
/// subprotocol and handed it over. Each SIP message is one WebSocket message (§5.2), so there is no Content-Length
/// framing and no CRLF keepalive: a message is delivered when its last frame arrives, and one that would pass the
/// stream limits (headers + body) closes the connection with 1009 before it is buffered further.
/// </summary>
internal sealed partial class SipStreamConnection
{
    private const int FirstWebSocketBuffer = 4096;

    private WebSocket? _webSocket;

    /// <summary>
    /// The web user whose logged-in page opened this WebSocket from the station's own origin (the web server checked the
    /// session cookie and the Origin at the handshake), or null: any other client, which authenticates by digest.
    /// </summary>
    public string? WebUser { get; private init; }

    /// <summary>
    /// A WebSocket the web server accepted (its handshake, Origin and subprotocol already checked there): the connection
    /// starts reading at once. <paramref name="local"/> is the web server's address, written in Via and Contact.
    /// </summary>
    public static SipStreamConnection AcceptWebSocket(
        ISipStreamConnectionOwner owner,
        SipTransportOptions options,
        TimeProvider time,
        SipTransportProtocol protocol,
        WebSocket webSocket,
        IPEndPoint remote,
        IPEndPoint local,
        bool holdsQuota,
        string? webUser = null)
    {
        var connection = new SipStreamConnection(owner, options, time, protocol, remote, null, isInbound: true)
        {
            _webSocket = webSocket,
            LocalEndPoint = Normalize(local),
            HoldsQuota = holdsQuota,
            WebUser = webUser,
        };
        connection.EnsureStarted();
        return connection;
    }

    private async Task RunWebSocketAsync()
    {
        Touch();
        _owner.OnConnectionEstablished(this);
        var writer = WriteWebSocketLoopAsync(_webSocket!);
        await ReadWebSocketLoopAsync(_webSocket!).ConfigureAwait(false);
        await writer.ConfigureAwait(false);
    }

    private async Task ReadWebSocketLoopAsync(WebSocket webSocket)
    {
        var limit = _options.MaxHeaderBytes + _options.MaxBodyBytes;
        var buffer = new byte[Math.Min(FirstWebSocketBuffer, limit)];
        var length = 0;
        try
        {
            while (!IsClosed)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= limit)
                    {
                        // §5.2 gives no size limit; ours is the stream's: one message, headers plus body, at most.
                        _owner.OnMalformedStream(this);
                        await CloseWebSocketAsync(webSocket, WebSocketCloseStatus.MessageTooBig).ConfigureAwait(false);
                        break;
                    }

                    Array.Resize(ref buffer, Math.Min(limit, buffer.Length * 2));
                }

                var result = await webSocket.ReceiveAsync(buffer.AsMemory(length), _closing.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // RFC 6455 §5.5.1: answer the peer's Close frame, so it sees a clean end rather than a dropped line.
                    await CloseWebSocketAsync(webSocket, WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
                    break;
                }

                Touch();
                length += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var message = buffer.AsSpan(0, length);
                length = 0;

                // An empty message or bare CRLFs carry no SIP message (some clients send them as keepalives): nothing to answer.
                if (message.Trim("\r\n"u8).IsEmpty)
                {
                    continue;
                }

                _owner.OnStreamMessage(this, message);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or we are closing: both end the flow the same way.
        }

        Close(SipTransportError.ConnectionClosed);
    }

    private async Task WriteWebSocketLoopAsync(WebSocket webSocket)
    {
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var segment))
                {
                    var bytes = segment.Buffer.AsMemory(0, segment.Length);
                    try
                    {
                        // §5.1: text or binary frames; text when the message is UTF-8 (every message the station writes
                        // unless a body holds other bytes), which is what browser clients read most simply.
                        var type = Utf8.IsValid(bytes.Span) ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                        await webSocket.SendAsync(bytes, type, endOfMessage: true, _closing.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
                    {
                        _owner.OnSendFailed(this, segment.Handler, SipTransportError.SendFailed);
                        segment.Release();
                        Close(SipTransportError.ConnectionClosed);
                        return;
                    }

                    Interlocked.Add(ref _queuedBytes, -segment.Length);
                    segment.Release();
                    Touch();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Close(SipTransportError.ConnectionClosed);
        }
    }

    private async Task CloseWebSocketAsync(WebSocket webSocket, WebSocketCloseStatus status)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
        try
        {
            await webSocket.CloseOutputAsync(status, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed anyway.
        }
    }
}

using System.Net.WebSockets;
using System.Text;

namespace Intercom.TestSupport;

/// <summary>A test's side of SIP over a WebSocket (RFC 7118 §5.2: one SIP message per WebSocket message).</summary>
public static class SipOverWebSocket
{
    /// <summary>Sends <paramref name="request"/> as a text message and returns the first answer that is not provisional.</summary>
    public static async Task<string> FinalResponseAsync(WebSocket socket, string request, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request), WebSocketMessageType.Text, true, cancel.Token).ConfigureAwait(false);
        return await ReceiveAsync(socket, timeout, skipProvisional: true).ConfigureAwait(false);
    }

    /// <summary>The next message (skipping 1xx answers when <paramref name="skipProvisional"/>), its fragments joined.</summary>
    public static async Task<string> ReceiveAsync(WebSocket socket, TimeSpan timeout, bool skipProvisional = true)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[16384];
        while (true)
        {
            var total = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(total), cancel.Token).ConfigureAwait(false);
                total += result.Count;
            }
            while (!result.EndOfMessage);
            var text = Encoding.UTF8.GetString(buffer, 0, total);
            if (!skipProvisional || !text.StartsWith("SIP/2.0 1", StringComparison.Ordinal))
            {
                return text;
            }
        }
    }
}

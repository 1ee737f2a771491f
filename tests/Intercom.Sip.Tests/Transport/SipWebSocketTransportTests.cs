using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transport;

/// <summary>
/// SIP over WebSocket (RFC 7118) as the transport layer sees it: a WebSocket the web server accepted is handed over and
/// from then on is a connection like TCP or TLS, one SIP message per WebSocket message, under the same limits. The two
/// ends are RFC 6455 WebSockets over a real loopback TCP connection (what Kestrel hands over is the same type).
/// </summary>
public sealed class SipWebSocketTransportTests
{
    private static readonly IPEndPoint WebPort = new(IPAddress.Loopback, 8443);

    private static string OptionsText(string branch) =>
        Encoding.UTF8.GetString(SipMessageWriter.ToBytes(TransportPeer.Options(branch, "WSS", "df7jal23ls0d.invalid")));

    /// <summary>A connected pair: the server end handed to the layer, the client end kept by the test (a browser's).</summary>
    private static async Task<(WebSocket Client, Task Served, IPEndPoint ClientEndPoint)> ConnectAsync(TransportPeer server)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        var accepted = await listener.AcceptAsync();
        var serverSocket = WebSocket.CreateFromStream(new NetworkStream(accepted, ownsSocket: true), new WebSocketCreationOptions { IsServer = true, SubProtocol = "sip" });
        var clientSocket = WebSocket.CreateFromStream(new NetworkStream(client, ownsSocket: true), new WebSocketCreationOptions { IsServer = false, SubProtocol = "sip" });
        var remote = (IPEndPoint)accepted.RemoteEndPoint!;
        var served = server.Layer.AcceptWebSocketAsync(serverSocket, SipTransportProtocol.Wss, remote, WebPort);
        return (clientSocket, served, remote);
    }

    private static async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[65536];
        var total = 0;
        using var timeout = new CancellationTokenSource(TransportPeer.Wait);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(total), timeout.Token);
            total += result.Count;
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, Encoding.UTF8.GetString(buffer, 0, total));
            }
        }
    }

    [Fact]
    public async Task A_request_over_the_WebSocket_is_a_WSS_flow_and_its_response_is_one_text_message_back()
    {
        using var server = new TransportPeer { AutoAnswer = 200 };
        var (client, _, clientEndPoint) = await ConnectAsync(server);
        using var owned = client;

        await client.SendAsync(Encoding.UTF8.GetBytes(OptionsText("z9hG4bKws1")), WebSocketMessageType.Text, true, default);

        var (request, flow) = TransportPeer.Take(server.Requests, "request");
        Assert.Equal(SipTransportProtocol.Wss, flow.Protocol);
        Assert.Equal(clientEndPoint, flow.RemoteEndPoint);
        Assert.Equal(WebPort, flow.LocalEndPoint);
        // §18.2.1: the made-up .invalid sent-by is not the source, so "received" tells the truth.
        Assert.Equal("127.0.0.1", request.TopVia!.Received);

        var (type, reply) = await ReceiveAsync(client);
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.StartsWith("SIP/2.0 200", reply, StringComparison.Ordinal);
        Assert.Contains("Via: SIP/2.0/WSS df7jal23ls0d.invalid", reply, StringComparison.Ordinal);
        // Exactly one SIP message in the WebSocket message (§5.2): it ends where its Content-Length says.
        Assert.EndsWith("Content-Length: 0\r\n\r\n", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_sent_in_several_frames_is_delivered_once_whole()
    {
        using var server = new TransportPeer();
        var (client, _, _) = await ConnectAsync(server);
        using var owned = client;
        var bytes = Encoding.UTF8.GetBytes(OptionsText("z9hG4bKws2"));

        await client.SendAsync(bytes.AsMemory(0, 10), WebSocketMessageType.Text, false, default);
        await client.SendAsync(bytes.AsMemory(10, 100), WebSocketMessageType.Text, false, default);
        await client.SendAsync(bytes.AsMemory(110), WebSocketMessageType.Text, true, default);

        var (request, _) = TransportPeer.Take(server.Requests, "request");
        Assert.Equal("z9hG4bKws2", request.TopVia!.Branch);
        Assert.False(server.Requests.TryTake(out _, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task A_request_to_the_client_goes_over_its_WebSocket_and_never_opens_one_once_it_is_closed()
    {
        using var server = new TransportPeer();
        server.OnLoop(() => server.Layer.AddWebSocketListener(SipTransportProtocol.Wss, WebPort));
        var (client, served, _) = await ConnectAsync(server);
        await client.SendAsync(Encoding.UTF8.GetBytes(OptionsText("z9hG4bKws3")), WebSocketMessageType.Text, true, default);
        var (_, flow) = TransportPeer.Take(server.Requests, "request");

        // A BYE of a call the browser placed: its Contact host is .invalid (RFC 7118 §5), so its flow is the way back.
        var bye = TransportPeer.Parse("BYE sip:x@df7jal23ls0d.invalid;transport=ws SIP/2.0\r\nMax-Forwards: 70\r\nFrom: <sip:door@example.com>;tag=a\r\n" +
            "To: <sip:tester@example.com>;tag=b\r\nCall-ID: ws3@test\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
        server.OnLoop(() =>
        {
            bye.Headers.Add(SipHeaderNames.Via, server.Layer.CreateVia(flow.Destination, "z9hG4bKbye").ToString());
            server.Layer.SendRequest(bye, flow.Destination, server);
        });
        var (_, text) = await ReceiveAsync(client);
        Assert.StartsWith("BYE sip:x@df7jal23ls0d.invalid", text, StringComparison.Ordinal);
        // Via names the web server's port, over WSS.
        Assert.Contains("Via: SIP/2.0/WSS 127.0.0.1:8443;branch=z9hG4bKbye", text, StringComparison.Ordinal);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
        client.Dispose();
        await served.WaitAsync(TransportPeer.Wait); // else: the handed-over request did not end with its WebSocket
        server.OnLoop(() => server.Layer.SendRequest(bye, flow.Destination, server));

        var (destination, error) = TransportPeer.Take(server.Errors, "the send failure");
        Assert.Equal(SipTransportError.NoTransport, error);
        Assert.Equal(SipTransportProtocol.Wss, destination.Protocol);
        Assert.Equal(0, server.OnLoop(() => server.Layer.ConnectionCount));
    }

    [Fact]
    public async Task A_message_past_the_stream_limits_closes_the_WebSocket_with_1009_and_is_never_delivered()
    {
        using var server = new TransportPeer(new SipTransportOptions { MaxHeaderBytes = 1024, MaxBodyBytes = 1024 });
        var (client, served, _) = await ConnectAsync(server);
        using var owned = client;
        var huge = Encoding.UTF8.GetBytes(OptionsText("z9hG4bKws4").Replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nX-Pad: " + new string('a', 4000) + "\r\n", StringComparison.Ordinal));

        try
        {
            await client.SendAsync(huge, WebSocketMessageType.Text, true, default);
        }
        catch (WebSocketException)
        {
            // The server may close before the last frame is written.
        }

        var (type, _) = await ReceiveAsync(client);
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
        await served.WaitAsync(TransportPeer.Wait);
        Assert.Empty(server.Requests);
        Assert.Equal(1, server.Layer.Counters.MalformedStreamsClosed);
    }

    [Fact]
    public async Task WebSockets_count_against_the_per_source_connection_cap()
    {
        using var server = new TransportPeer(new SipTransportOptions { RateLimit = new SipRateLimitOptions { MaxConnectionsPerSource = 1 } });
        var (first, _, _) = await ConnectAsync(server);
        using var a = first;
        var (second, refused, _) = await ConnectAsync(server);
        using var b = second;

        Assert.True(refused.IsCompleted, "the second WebSocket from the same address was taken over");
        Assert.Equal(1, server.Layer.Counters.ConnectionsRefused);
        Assert.Equal(1, server.Layer.InboundConnectionCount);

        // The refused one was dropped (nothing to read but its end); the first still carries SIP.
        await Assert.ThrowsAsync<WebSocketException>(() => ReceiveAsync(second));
        await first.SendAsync(Encoding.UTF8.GetBytes(OptionsText("z9hG4bKws5")), WebSocketMessageType.Text, true, default);
        Assert.Equal("z9hG4bKws5", TransportPeer.Take(server.Requests, "request").Request.TopVia!.Branch);
    }
}

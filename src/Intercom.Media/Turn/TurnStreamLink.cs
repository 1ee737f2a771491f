using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Intercom.Media.Turn;

/// <summary>
/// A TCP or TLS connection to the TURN server that one allocation owns (RFC 8656 §3.1). Writes are whole messages under a
/// lock (the media thread and the request path both write); one read loop cuts the stream into messages
/// (<see cref="TurnStreamFramer"/>) and hands each to the allocation. The connection is not re-established: the server
/// deletes an allocation whose connection closes, so the relayed address is gone with it, and the owner decides whether
/// to allocate again (a new relayed address, new candidates).
/// </summary>
internal sealed class TurnStreamLink : ITurnServerLink
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly Lock _writeLock = new();
    private readonly CancellationTokenSource _closing = new();
    private int _disposed;

    private TurnStreamLink(Socket socket, Stream stream, IPEndPoint server, TurnTransport transport)
    {
        _socket = socket;
        _stream = stream;
        Server = server;
        Transport = transport;
    }

    public IPEndPoint Server { get; }

    public TurnTransport Transport { get; }

    /// <summary>Connects (and for TLS authenticates the server as <see cref="TurnTlsOptions.ServerName"/>) within <paramref name="timeout"/>.</summary>
    public static async Task<TurnStreamLink> ConnectAsync(IPEndPoint server, TurnTlsOptions? tls, TimeSpan timeout, CancellationToken cancellation)
    {
        server = TurnAddress.Normalise(server);
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bound.CancelAfter(timeout);
        string what = tls is null ? "TCP" : "TLS";
        try
        {
            await socket.ConnectAsync(server, bound.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                var options = new SslClientAuthenticationOptions { TargetHost = tls.ServerName };
                if (tls.TrustedAuthorities is { } roots)
                {
                    var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
                    policy.CustomTrustStore.AddRange(roots);
                    options.CertificateChainPolicy = policy;
                }

                await ssl.AuthenticateAsClientAsync(options, bound.Token).ConfigureAwait(false);
            }

            return new TurnStreamLink(socket, stream, server, tls is null ? TurnTransport.Tcp : TurnTransport.Tls);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            cancellation.ThrowIfCancellationRequested();
            string why = e switch
            {
                OperationCanceledException => $"no {what} connection within {timeout.TotalSeconds:0.#} s",
                AuthenticationException => $"the server's certificate is not valid for '{tls!.ServerName}' or not trusted ({e.Message})",
                _ => e.Message,
            };
            throw new TurnException($"TURN server {server} over {what}: {why}", server, null, e);
        }
    }

    /// <summary>Starts the read loop; frames and the end go to <paramref name="receiver"/>.</summary>
    public void Start(ITurnLinkReceiver receiver) => _ = ReadLoopAsync(receiver);

    public bool Send(ReadOnlySpan<byte> message)
    {
        lock (_writeLock)
        {
            if (_disposed != 0)
            {
                return false;
            }

            try
            {
                _stream.Write(message);
                return true;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                return false;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _closing.Cancel();
        lock (_writeLock)
        {
            _stream.Dispose();
        }

        _socket.Dispose();
        _closing.Dispose();
    }

    private async Task ReadLoopAsync(ITurnLinkReceiver receiver)
    {
        // A message is at most 65540 bytes (ChannelData of 65535, padded); twice that lets a read fill behind a partial one.
        var buffer = new byte[2 * TurnStreamFramer.MaxFrame];
        int start = 0;
        int end = 0;
        string reason = "the server closed the connection";
        try
        {
            CancellationToken token = _closing.Token;
            while (true)
            {
                if (start > 0 && buffer.Length - end < TurnStreamFramer.MaxFrame)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }

                int read = await _stream.ReadAsync(buffer.AsMemory(end), token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                end += read;
                while (true)
                {
                    int frame = TurnStreamFramer.FrameLength(buffer.AsSpan(start, end - start));
                    if (frame == TurnStreamFramer.Invalid)
                    {
                        reason = "the server sent bytes that are neither STUN nor ChannelData (the stream is out of step)";
                        return;
                    }

                    if (frame == TurnStreamFramer.NeedMore)
                    {
                        break;
                    }

                    receiver.OnFrame(buffer.AsSpan(start, frame));
                    start += frame;
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or OperationCanceledException or InvalidOperationException)
        {
            reason = $"the connection failed ({e.Message})";
        }
        finally
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                receiver.OnLinkClosed(reason);
            }
        }
    }
}

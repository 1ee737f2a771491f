using System.Net;
using System.Net.Sockets;

namespace Intercom.Sip.Transport;

/// <summary>A listening TCP socket (plain or TLS) that hands accepted sockets to the transport layer.</summary>
internal sealed class SipStreamListener : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _closing = new();
    private readonly Action<SipStreamListener, Socket> _onAccepted;

    public SipStreamListener(SipTransportProtocol protocol, IPEndPoint bindTo, Action<SipStreamListener, Socket> onAccepted)
    {
        Protocol = protocol;
        _onAccepted = onAccepted;
        _socket = new Socket(bindTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (bindTo.AddressFamily == AddressFamily.InterNetworkV6 && bindTo.Address.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }

            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.Bind(bindTo);
            _socket.Listen(128);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = SipStreamConnection.Normalize((IPEndPoint)_socket.LocalEndPoint!);
    }

    public SipTransportProtocol Protocol { get; }

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _ = AcceptLoopAsync();

    public void Dispose()
    {
        _closing.Cancel();
        _socket.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                // A connection reset before accept completed; keep listening.
                continue;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            _onAccepted(this, accepted);
        }
    }
}

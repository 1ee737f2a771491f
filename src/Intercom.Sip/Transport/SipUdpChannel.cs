using System.Net;
using System.Net.Sockets;

namespace Intercom.Sip.Transport;

/// <summary>
/// One bound UDP socket: receives datagrams into one preallocated buffer on a background task and sends synchronously
/// (a UDP send does not block in practice, so it may run on the SIP loop).
/// </summary>
internal sealed class SipUdpChannel : IDisposable
{
    private const int MaxDatagram = 65_535;
    private readonly Socket _socket;
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
    private readonly CancellationTokenSource _closing = new();
    private readonly Action<SipUdpChannel, ReadOnlyMemory<byte>, IPEndPoint> _onDatagram;

    public SipUdpChannel(IPEndPoint bindTo, Action<SipUdpChannel, ReadOnlyMemory<byte>, IPEndPoint> onDatagram)
    {
        _onDatagram = onDatagram;
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (bindTo.AddressFamily == AddressFamily.InterNetworkV6 && bindTo.Address.Equals(IPAddress.IPv6Any))
            {
                // [::] serves IPv4 too; remote addresses come back mapped and are normalised.
                _socket.DualMode = true;
            }

            _socket.Bind(bindTo);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = SipStreamConnection.Normalize((IPEndPoint)_socket.LocalEndPoint!);
    }

    public IPEndPoint LocalEndPoint { get; }

    public bool CanReach(IPEndPoint remote) =>
        remote.AddressFamily == _socket.AddressFamily || (_socket.AddressFamily == AddressFamily.InterNetworkV6 && _socket.DualMode);

    public void Start() => _ = ReceiveLoopAsync();

    public SocketError Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, remote);
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
        catch (ObjectDisposedException)
        {
            return SocketError.Shutdown;
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        _socket.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        EndPoint any = _socket.AddressFamily == AddressFamily.InterNetworkV6
            ? new IPEndPoint(IPAddress.IPv6Any, 0)
            : new IPEndPoint(IPAddress.Any, 0);
        while (!_closing.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, any, _closing.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                // ICMP errors surface here on some platforms; they do not end the listener.
                continue;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            var remote = SipStreamConnection.Normalize((IPEndPoint)result.RemoteEndPoint);
            _onDatagram(this, _receiveBuffer.AsMemory(0, result.ReceivedBytes), remote);
        }
    }
}

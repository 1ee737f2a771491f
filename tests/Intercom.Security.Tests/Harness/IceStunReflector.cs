using System.Net;
using System.Net.Sockets;
using Intercom.Media.Nat;

namespace Intercom.Security.Tests.Harness;

/// <summary>
/// The STUN server an ICE account of the station needs (accounts[].nat.stun) on loopback: it answers every Binding
/// request with the address it came from (RFC 8489 §3), so the station's server-reflexive candidate is its host candidate
/// and is dropped as redundant (RFC 8445 §5.1.3). Only the station's calls ask it; stopped when disposed.
/// </summary>
public sealed class IceStunReflector : IDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public IceStunReflector() => _serving = Task.Run(ServeAsync);

    /// <summary>The server as accounts[].nat.stun names it (RFC 7064).</summary>
    public string Uri => $"stun:127.0.0.1:{((IPEndPoint)_socket.Client.LocalEndPoint!).Port}";

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Ends with the socket.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        var response = new byte[64];
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await _socket.ReceiveAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (e is SocketException && !_stop.IsCancellationRequested)
                {
                    continue;
                }

                return;
            }

            if (!StunMessage.TryParse(datagram.Buffer, out StunMessage request, out _) || request.Class != StunMessageClass.Request)
            {
                continue;
            }

            var writer = new StunMessageWriter(response, StunMethod.Binding, StunMessageClass.SuccessResponse, request.TransactionId);
            writer.AddXorMappedAddress(datagram.RemoteEndPoint);
            writer.AddFingerprint();
            int length = writer.Complete();
            await _socket.SendAsync(response.AsMemory(0, length), datagram.RemoteEndPoint).ConfigureAwait(false);
        }
    }
}

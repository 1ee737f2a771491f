using System.Net;
using System.Net.Sockets;
using Intercom.Media.Nat;

namespace Intercom.Benchmarks;

/// <summary>
/// Just enough of a TURN server on loopback for the relayed frame path to reach its steady state: every request
/// (Allocate, ChannelBind, ...) is answered with an unsigned success (the client signs nothing unless challenged),
/// an Allocate with a relayed address and a lifetime; ChannelData is read and dropped.
/// </summary>
internal sealed class BenchmarkTurnServer : IDisposable
{
    private static readonly IPEndPoint Relayed = new(IPAddress.Parse("192.0.2.1"), 49152);
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Thread _thread;

    public BenchmarkTurnServer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _thread = new Thread(Serve) { IsBackground = true, Name = "benchmark-turn" };
        _thread.Start();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    private void Serve()
    {
        var buffer = new byte[2048];
        var answer = new byte[512];
        // Nothing here allocates per datagram either: BenchmarkDotNet counts every thread's allocations.
        var from = new SocketAddress(AddressFamily.InterNetwork);
        while (true)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
                if (length == 0 || buffer[0] > 3)
                {
                    // The session's ChannelData (RFC 7983: 64-79): dropped unread.
                    continue;
                }

                if (!StunMessage.TryParse(buffer.AsSpan(0, length), out StunMessage request, out _) || request.Class != StunMessageClass.Request)
                {
                    continue;
                }

                var writer = new StunMessageWriter(answer, request.Method, StunMessageClass.SuccessResponse, request.TransactionId);
                if (request.Method == StunMethod.Allocate)
                {
                    writer.AddXorRelayedAddress(Relayed);
                }

                writer.AddLifetime(3600);
                writer.AddFingerprint();
                _socket.SendTo(answer.AsSpan(0, writer.Complete()), SocketFlags.None, from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Intercom.Media.Nat;
using Intercom.Media.Turn;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Media.Tests.Turn;

/// <summary>
/// <see cref="FakeTurnServer"/>'s answers on a real UDP socket on loopback, for a client that sends from a real socket
/// (a call's RTP socket): requests are answered from the socket they came from; ChannelData and Send indications are
/// kept for the test to read; the test sends what the server relays (<see cref="SendTo"/>).
/// </summary>
internal sealed class LoopbackTurnServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Thread _thread;
    private volatile bool _stopping;

    public LoopbackTurnServer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Answers = new FakeTurnServer(new FakeTimeProvider()) { Address = EndPoint };
        _thread = new Thread(Serve) { IsBackground = true, Name = "loopback-turn" };
        _thread.Start();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Builds the answers (credentials u/p, realm, nonce, relayed address) and records permissions and channels.</summary>
    public FakeTurnServer Answers { get; }

    public BlockingCollection<(ushort Channel, byte[] Data)> ChannelData { get; } = new();

    public BlockingCollection<(IPEndPoint Peer, byte[] Data)> Indications { get; } = new();

    /// <summary>Every request's method and LIFETIME, in order.</summary>
    public ConcurrentQueue<(StunMethod Method, uint? Lifetime)> Requests { get; } = new();

    /// <summary>ChannelData is counted, not copied (while the client's allocations are measured).</summary>
    public bool KeepChannelData { get; set; } = true;

    public long ChannelDataCount => Interlocked.Read(ref _channelDataCount);

    private long _channelDataCount;

    /// <summary>Sends <paramref name="datagram"/> from the server's address to <paramref name="client"/>.</summary>
    public void SendTo(IPEndPoint client, byte[] datagram) => _socket.SendTo(datagram, client);

    private void Serve()
    {
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, ref from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            ReadOnlySpan<byte> datagram = buffer.AsSpan(0, length);
            if (PacketDemultiplexer.Classify(datagram) == MultiplexedPacketKind.TurnChannel)
            {
                Interlocked.Increment(ref _channelDataCount);
                if (KeepChannelData && TurnChannelData.TryParse(datagram, out TurnChannelData message))
                {
                    ChannelData.Add((message.Channel, message.Data.ToArray()));
                }

                continue;
            }

            byte[] bytes = datagram.ToArray();
            if (!StunMessage.TryParse(bytes, out StunMessage parsed, out _))
            {
                continue;
            }

            if (parsed.Class == StunMessageClass.Indication)
            {
                if (parsed.TryGetXorPeerAddress(out IPEndPoint? peer) && parsed.TryGetData(out ReadOnlySpan<byte> data))
                {
                    Indications.Add((peer!, data.ToArray()));
                }

                continue;
            }

            Requests.Enqueue((parsed.Method, parsed.TryGetLifetime(out uint lifetime) ? lifetime : null));
            try
            {
                lock (Answers)
                {
                    _socket.SendTo(Answers.Answer(bytes), from);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
        ChannelData.Dispose();
        Indications.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Intercom.Media.Nat;
using Intercom.Media.Turn;

namespace Intercom.Interop.Tests.Turn;

/// <summary>
/// The two ends of a relayed exchange on loopback: the client's UDP socket (what a call's RTP socket would be: it sends
/// the allocation's messages and its receive loop hands what comes from the server to <see cref="TurnAllocation.Receive(ReadOnlySpan{byte}, SocketAddress, out IPEndPoint?, out ReadOnlySpan{byte})"/>),
/// and a plain UDP socket playing the remote peer.
/// </summary>
internal sealed class TurnPeer : IStunTransport, ITurnDataReceiver, IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Thread _receiveLoop;
    private volatile bool _stopping;

    public TurnPeer()
    {
        _client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Remote.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Remote.ReceiveTimeout = (int)Wait.TotalMilliseconds;
        _receiveLoop = new Thread(ReceiveLoop) { IsBackground = true, Name = "turn-test-receive" };
    }

    public TurnAllocation? Allocation { get; set; }

    /// <summary>The remote peer's socket.</summary>
    public Socket Remote { get; } = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public IPEndPoint RemoteEndPoint => (IPEndPoint)Remote.LocalEndPoint!;

    public IPEndPoint ClientEndPoint => (IPEndPoint)_client.LocalEndPoint!;

    /// <summary>What the client unwrapped: the peer, the payload, and whether it came as ChannelData.</summary>
    public Channel<(IPEndPoint Peer, byte[] Payload, bool Channel)> Received { get; } = Channel.CreateUnbounded<(IPEndPoint, byte[], bool)>();

    public void StartReceiving() => _receiveLoop.Start();

    /// <summary>The transactions of the requests the client sent (retransmissions counted once).</summary>
    public HashSet<StunTransactionId> Transactions { get; } = [];

    public bool SendStun(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        if (StunMessage.TryParse(datagram, out StunMessage message, out _) && message.Class == StunMessageClass.Request)
        {
            lock (Transactions)
            {
                Transactions.Add(message.TransactionId);
            }
        }

        _client.SendTo(datagram, SocketFlags.None, destination);
        return true;
    }

    public void OnTurnData(IPEndPoint peer, ReadOnlySpan<byte> payload) => Received.Writer.TryWrite((peer, payload.ToArray(), false));

    /// <summary>What the remote peer receives next, and from where.</summary>
    public (byte[] Data, IPEndPoint From) RemoteReceive()
    {
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int length = Remote.ReceiveFrom(buffer, ref from);
        return (buffer[..length], (IPEndPoint)from);
    }

    public async Task<(IPEndPoint Peer, byte[] Payload, bool Channel)> NextAsync() =>
        await Received.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    public void Dispose()
    {
        _stopping = true;
        _client.Dispose();
        Remote.Dispose();
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[65536];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        while (!_stopping)
        {
            int length;
            try
            {
                length = _client.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                {
                    return;
                }

                continue;
            }

            TurnAllocation? allocation = Allocation;
            if (allocation is null)
            {
                continue;
            }

            bool channel = PacketDemultiplexer.Classify(buffer.AsSpan(0, length)) == MultiplexedPacketKind.TurnChannel;
            if (allocation.Receive(buffer.AsSpan(0, length), from, out IPEndPoint? peer, out ReadOnlySpan<byte> payload) == TurnReceiveResult.PeerData)
            {
                Received.Writer.TryWrite((peer!, payload.ToArray(), channel));
            }
        }
    }
}

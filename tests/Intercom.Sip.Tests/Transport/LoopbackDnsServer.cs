using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;

namespace Intercom.Sip.Tests.Transport;

/// <summary>
/// A tiny authoritative DNS server on 127.0.0.1 that answers canned NAPTR, SRV, A and AAAA records, so RFC 3263 tests
/// never leave loopback. DnsClient does not expose its datagram writer, so answers are encoded here (RFC 1035 §4,
/// RFC 2782, RFC 3403); the client side of each test is the real DnsClient LookupClient.
/// </summary>
internal sealed class LoopbackDnsServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Dictionary<(string Name, QueryType Type), List<byte[]>> _records = [];
    private readonly Dictionary<(string Name, QueryType Type), List<(string Name, QueryType Type, byte[] Data)>> _additionals = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;
    private int _queries;

    public LoopbackDnsServer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _serve = Task.Run(ServeAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int QueryCount => Volatile.Read(ref _queries);

    public List<string> Log { get; } = [];

    public LookupClient CreateClient() => new(new LookupClientOptions(EndPoint)
    {
        UseCache = false,
        Retries = 0,
        Timeout = TimeSpan.FromSeconds(3),
        UseTcpFallback = false,
        ThrowDnsErrors = false,
    });

    public void AddNaptr(string name, int order, int preference, string flags, string services, string replacement)
    {
        var data = new List<byte>();
        data.AddRange(U16(order));
        data.AddRange(U16(preference));
        data.AddRange(CharString(flags));
        data.AddRange(CharString(services));
        data.AddRange(CharString(string.Empty));
        data.AddRange(Name(replacement));
        Add(name, QueryType.NAPTR, [.. data]);
    }

    public void AddSrv(string name, int priority, int weight, int port, string target) =>
        Add(name, QueryType.SRV, [.. U16(priority), .. U16(weight), .. U16(port), .. Name(target)]);

    public void AddSrvWithGlue(string name, int priority, int weight, int port, string target, IPAddress address)
    {
        AddSrv(name, priority, weight, port, target);
        if (!_additionals.TryGetValue((name, QueryType.SRV), out var list))
        {
            _additionals[(name, QueryType.SRV)] = list = [];
        }

        list.Add((target, address.AddressFamily == AddressFamily.InterNetwork ? QueryType.A : QueryType.AAAA, address.GetAddressBytes()));
    }

    public void AddAddress(string name, IPAddress address) =>
        Add(name, address.AddressFamily == AddressFamily.InterNetwork ? QueryType.A : QueryType.AAAA, address.GetAddressBytes());

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _serve.Wait(TimeSpan.FromSeconds(5));
    }

    private void Add(string name, QueryType type, byte[] data)
    {
        lock (_records)
        {
            if (!_records.TryGetValue((name.ToUpperInvariant(), type), out var list))
            {
                _records[(name.ToUpperInvariant(), type)] = list = [];
            }

            list.Add(data);
        }
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[1500];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _queries);
            var reply = Answer(buffer.AsSpan(0, received.ReceivedBytes));
            if (reply is not null)
            {
                await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint);
            }
        }
    }

    private byte[]? Answer(ReadOnlySpan<byte> query)
    {
        if (query.Length < 12)
        {
            return null;
        }

        // Question: labels, then QTYPE and QCLASS.
        var offset = 12;
        var name = new StringBuilder();
        while (offset < query.Length && query[offset] != 0)
        {
            int length = query[offset];
            if (name.Length > 0)
            {
                name.Append('.');
            }

            name.Append(Encoding.ASCII.GetString(query.Slice(offset + 1, length)));
            offset += length + 1;
        }

        var questionEnd = offset + 5;
        var type = (QueryType)BinaryPrimitives.ReadUInt16BigEndian(query[(offset + 1)..]);
        var key = (name.ToString().ToUpperInvariant(), type);
        List<byte[]> answers;
        List<(string Name, QueryType Type, byte[] Data)>? extra;
        var nameExists = false;
        lock (_records)
        {
            answers = _records.TryGetValue(key, out var found) ? [.. found] : [];
            extra = _additionals.TryGetValue((name.ToString(), type), out var more) ? more : null;
            foreach (var k in _records.Keys)
            {
                nameExists |= k.Name == key.Item1;
            }

            Log.Add($"{type} {name}");
        }

        var reply = new List<byte>();
        reply.AddRange(query[..2].ToArray());
        // QR=1, AA=1, RD copied; RCODE 3 (NXDOMAIN) when the name has no records at all.
        reply.Add((byte)(0x84 | (query[2] & 0x01)));
        reply.Add((byte)(nameExists ? 0x00 : 0x03));
        reply.AddRange(U16(1));
        reply.AddRange(U16(answers.Count));
        reply.AddRange(U16(0));
        reply.AddRange(U16(extra?.Count ?? 0));
        reply.AddRange(query[12..questionEnd].ToArray());
        foreach (var data in answers)
        {
            reply.AddRange([0xC0, 0x0C]); // Pointer to the question name.
            reply.AddRange(U16((int)type));
            reply.AddRange(U16(1));
            reply.AddRange([0, 0, 0, 60]);
            reply.AddRange(U16(data.Length));
            reply.AddRange(data);
        }

        foreach (var (extraName, extraType, data) in extra ?? [])
        {
            reply.AddRange(Name(extraName));
            reply.AddRange(U16((int)extraType));
            reply.AddRange(U16(1));
            reply.AddRange([0, 0, 0, 60]);
            reply.AddRange(U16(data.Length));
            reply.AddRange(data);
        }

        return [.. reply];
    }

    private static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];

    private static byte[] CharString(string text) => [(byte)text.Length, .. Encoding.ASCII.GetBytes(text)];

    private static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }
}

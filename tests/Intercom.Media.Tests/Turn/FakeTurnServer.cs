using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Intercom.Media.Nat;
using Intercom.Media.Turn;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Media.Tests.Turn;

/// <summary>
/// A TURN server in memory (RFC 8656 with RFC 8489's long-term credentials) that answers the client's requests inline,
/// as the client's UDP socket (<see cref="IStunTransport"/>) sends them: challenge, stale nonces, errors on demand,
/// silence, and the requests and relayed data it saw, each with the fake clock's time in milliseconds.
/// </summary>
internal sealed class FakeTurnServer(FakeTimeProvider time) : IStunTransport
{
    public static readonly IPEndPoint DefaultAddress = new(IPAddress.Parse("192.0.2.1"), 3478);

    private readonly Dictionary<StunMethod, Queue<(int Code, string Reason)>> _errors = [];

    public IPEndPoint Address { get; set; } = DefaultAddress;

    public IPEndPoint Relayed { get; set; } = new(IPAddress.Parse("192.0.2.1"), 49152);

    public IPEndPoint ClientMapped { get; set; } = new(IPAddress.Parse("198.51.100.7"), 40000);

    public string Username { get; set; } = "u";

    public string Password { get; set; } = "p";

    public string Realm { get; set; } = "test";

    public string Nonce { get; set; } = "nonce-1";

    /// <summary>The 401 lists these (RFC 8489 §14.11); null: no PASSWORD-ALGORITHMS (an RFC 5389 server such as coturn).</summary>
    public ushort[]? PasswordAlgorithms { get; set; }

    /// <summary>Server grants this LIFETIME unless the request asks for less.</summary>
    public uint Lifetime { get; set; } = 600;

    /// <summary>Nothing answers (the client's requests are still recorded).</summary>
    public bool Silent { get; set; }

    /// <summary>Error responses carry MESSAGE-INTEGRITY when the request was signed (as coturn does).</summary>
    public bool SignErrors { get; set; } = true;

    /// <summary>Success responses carry MESSAGE-INTEGRITY (turn off to forge an unsigned answer).</summary>
    public bool SignSuccesses { get; set; } = true;

    public TurnAllocation? Client { get; set; }

    /// <summary>Allocate requests to <see cref="Address"/> are answered 300 (Try Alternate) naming this server, which then answers.</summary>
    public IPEndPoint? RedirectTo { get; set; }

    /// <summary>Runs before each request is answered (to change the nonce under the client).</summary>
    public Action? BeforeAnswer { get; set; }

    public List<Received> Requests { get; } = [];

    public List<(IPEndPoint Peer, byte[] Data)> Indications { get; } = [];

    public List<(ushort Channel, byte[] Data, int Length)> ChannelData { get; } = [];

    public HashSet<IPAddress> Permissions { get; } = [];

    public Dictionary<ushort, IPEndPoint> Channels { get; } = [];

    public bool Allocated { get; private set; }

    /// <summary>ChannelData is counted, not copied (the allocation-free test measures the client alone).</summary>
    public bool KeepChannelData { get; set; } = true;

    public long ChannelDataCount { get; private set; }

    public IEnumerable<Received> RequestsOf(StunMethod method) => Requests.Where(r => r.Method == method);

    /// <summary>The next request of <paramref name="method"/> (after authentication) gets this error.</summary>
    public void FailNext(StunMethod method, int code, string reason)
    {
        if (!_errors.TryGetValue(method, out Queue<(int, string)>? queue))
        {
            _errors[method] = queue = new Queue<(int, string)>();
        }

        queue.Enqueue((code, reason));
    }

    public bool SendStun(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        long at = (long)(time.GetUtcNow() - time.Start).TotalMilliseconds;
        if (PacketDemultiplexer.Classify(datagram) == MultiplexedPacketKind.TurnChannel)
        {
            ChannelDataCount++;
            if (KeepChannelData)
            {
                Assert.True(TurnChannelData.TryParse(datagram, out TurnChannelData message));
                ChannelData.Add((message.Channel, message.Data.ToArray(), datagram.Length));
            }

            return true;
        }

        byte[] bytes = datagram.ToArray();
        Assert.True(StunMessage.TryParse(bytes, out StunMessage parsed, out StunParseError error), $"the client sent malformed STUN: {error}");
        if (RedirectTo is not null && destination.Equals(RedirectTo))
        {
            Address = RedirectTo;
            RedirectTo = null;
        }

        Assert.Equal(Address, destination);
        if (parsed.Class == StunMessageClass.Indication)
        {
            Assert.Equal(StunMethod.Send, parsed.Method);
            Assert.True(parsed.TryGetXorPeerAddress(out IPEndPoint? peer));
            Assert.True(parsed.TryGetData(out ReadOnlySpan<byte> data));
            Indications.Add((peer!, data.ToArray()));
            return true;
        }

        Assert.Equal(StunMessageClass.Request, parsed.Class);
        Assert.True(parsed.HasFingerprint && parsed.VerifyFingerprint(), "requests carry a valid FINGERPRINT");
        Requests.Add(new Received(at, parsed.Method, bytes) { To = destination });
        if (Silent)
        {
            return true;
        }

        if (RedirectTo is not null && parsed.Method == StunMethod.Allocate)
        {
            byte[] redirect = Build(StunMethod.Allocate, StunMessageClass.ErrorResponse, parsed.TransactionId, null, false, w =>
            {
                w.AddErrorCode(300, "Try Alternate");
                w.AddAlternateServer(RedirectTo);
            });
            if (parsed.HasMessageIntegrity)
            {
                redirect = Build(StunMethod.Allocate, StunMessageClass.ErrorResponse, parsed.TransactionId, Key(1), false, w =>
                {
                    w.AddErrorCode(300, "Try Alternate");
                    w.AddAlternateServer(RedirectTo);
                });
            }

            Deliver(redirect);
            return true;
        }

        BeforeAnswer?.Invoke();
        byte[] response = Answer(bytes);
        Deliver(response);
        return true;
    }

    /// <summary>Hands <paramref name="datagram"/> to the client as if from the server's address.</summary>
    public TurnReceiveResult Deliver(byte[] datagram) => Deliver(datagram, out _, out _);

    public TurnReceiveResult Deliver(byte[] datagram, out IPEndPoint? peer, out byte[] payload)
    {
        TurnReceiveResult result = Client!.Receive(datagram, Address, out peer, out ReadOnlySpan<byte> data);
        payload = data.ToArray();
        return result;
    }

    public byte[] DataIndication(IPEndPoint peer, byte[] data)
    {
        var buffer = new byte[2048];
        var writer = new StunMessageWriter(buffer, StunMethod.Data, StunMessageClass.Indication, StunTransactionId.New());
        writer.AddXorPeerAddress(peer);
        writer.AddData(data);
        return buffer[..writer.Complete()];
    }

    public static byte[] ChannelDataMessage(ushort channel, byte[] data)
    {
        var buffer = new byte[data.Length + 8];
        return buffer[..TurnChannelData.Write(buffer, channel, data)];
    }

    public byte[] Key(ushort algorithm) => algorithm == 2
        ? SHA256.HashData(Encoding.UTF8.GetBytes($"{Username}:{Realm}:{Password}"))
        : MD5.HashData(Encoding.UTF8.GetBytes($"{Username}:{Realm}:{Password}"));

    /// <summary>The server's answer to one request.</summary>
    public byte[] Answer(byte[] request)
    {
        Assert.True(StunMessage.TryParse(request, out StunMessage message, out _));
        StunTransactionId id = message.TransactionId;
        StunMethod method = message.Method;
        bool sha256 = IndexOf(request, StunAttributeType.MessageIntegritySha256) >= 0;
        if (!message.HasMessageIntegrity && !sha256)
        {
            return Challenge(method, id, 401, "Unauthorized");
        }

        ushort algorithm = 1;
        if (message.TryGetAttribute(StunAttributeType.PasswordAlgorithm, out ReadOnlySpan<byte> chosen))
        {
            algorithm = BinaryPrimitives.ReadUInt16BigEndian(chosen);
        }

        if (!message.TryGetUsername(out string? username) || username != Username || !message.TryGetRealm(out string? realm) || realm != Realm)
        {
            if (!(IndexOf(request, StunAttributeType.Userhash) >= 0))
            {
                return Challenge(method, id, 401, "Unauthorized");
            }
        }

        if (!message.TryGetNonce(out string? nonce) || nonce != Nonce)
        {
            return Challenge(method, id, 438, "Stale Nonce");
        }

        byte[] key = Key(algorithm);
        bool valid = sha256 ? VerifySha256(request, key) : message.VerifyMessageIntegrity(key);
        if (!valid)
        {
            return Challenge(method, id, 401, "Unauthorized");
        }

        if (_errors.TryGetValue(method, out Queue<(int Code, string Reason)>? errors) && errors.TryDequeue(out (int Code, string Reason) next))
        {
            return Build(method, StunMessageClass.ErrorResponse, id, SignErrors ? key : null, sha256, w => w.AddErrorCode(next.Code, next.Reason));
        }

        switch (method)
        {
            case StunMethod.Allocate:
                Assert.True(message.TryGetRequestedTransport(out byte protocol));
                Assert.Equal(17, protocol);
                Allocated = true;
                uint lifetime = message.TryGetLifetime(out uint asked) ? Math.Min(asked, Lifetime) : Lifetime;
                return Build(method, StunMessageClass.SuccessResponse, id, SignSuccesses ? key : null, sha256, w =>
                {
                    w.AddXorRelayedAddress(Relayed);
                    w.AddLifetime(lifetime);
                    w.AddXorMappedAddress(ClientMapped);
                });
            case StunMethod.Refresh:
                uint granted = message.TryGetLifetime(out uint requested) ? Math.Min(requested, Lifetime) : Lifetime;
                if (granted == 0)
                {
                    Allocated = false;
                }

                return Build(method, StunMessageClass.SuccessResponse, id, SignSuccesses ? key : null, sha256, w => w.AddLifetime(granted));
            case StunMethod.CreatePermission:
                Assert.True(message.TryGetXorPeerAddress(out IPEndPoint? peer));
                Permissions.Add(peer!.Address);
                return Build(method, StunMessageClass.SuccessResponse, id, SignSuccesses ? key : null, sha256, _ => { });
            case StunMethod.ChannelBind:
                Assert.True(message.TryGetChannelNumber(out ushort channel));
                Assert.True(message.TryGetXorPeerAddress(out IPEndPoint? bound));
                Channels[channel] = bound!;
                Permissions.Add(bound!.Address);
                return Build(method, StunMessageClass.SuccessResponse, id, SignSuccesses ? key : null, sha256, _ => { });
            default:
                throw new InvalidOperationException($"unexpected method {method}");
        }
    }

    private byte[] Challenge(StunMethod method, StunTransactionId id, int code, string reason)
    {
        var buffer = new byte[1024];
        var writer = new StunMessageWriter(buffer, method, StunMessageClass.ErrorResponse, id);
        writer.AddErrorCode(code, reason);
        writer.AddRealm(Realm);
        writer.AddNonce(Nonce);
        if (PasswordAlgorithms is { } algorithms)
        {
            var list = new byte[4 * algorithms.Length];
            for (int i = 0; i < algorithms.Length; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(list.AsSpan(4 * i), algorithms[i]);
            }

            writer.AddAttribute(StunAttributeType.PasswordAlgorithms, list);
        }

        writer.AddFingerprint();
        return buffer[..writer.Complete()];
    }

    private static byte[] Build(StunMethod method, StunMessageClass messageClass, StunTransactionId id, byte[]? key, bool sha256, Action<StunWriterBox> attributes)
    {
        var buffer = new byte[1024];
        var box = new StunWriterBox(buffer, method, messageClass, id);
        attributes(box);
        return box.Finish(key, sha256);
    }

    public static bool VerifySha256(byte[] message, byte[] key)
    {
        int offset = IndexOf(message, StunAttributeType.MessageIntegritySha256);
        byte[] copy = message[..offset];
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(2), (ushort)(offset - 20 + 4 + 32));
        byte[] mac = HMACSHA256.HashData(key, copy);
        return mac.AsSpan().SequenceEqual(message.AsSpan(offset + 4, 32));
    }

    public static int IndexOf(byte[] message, StunAttributeType type)
    {
        int offset = 20;
        while (offset + 4 <= message.Length)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset + 2));
            if (BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset)) == (ushort)type)
            {
                return offset;
            }

            offset += 4 + ((length + 3) & ~3);
        }

        return -1;
    }

    internal sealed record Received(long At, StunMethod Method, byte[] Bytes)
    {
        public IPEndPoint? To { get; init; }

        public bool Signed => StunMessage.TryParse(Bytes, out StunMessage m, out _) && (m.HasMessageIntegrity || IndexOf(Bytes, StunAttributeType.MessageIntegritySha256) >= 0);

        public uint? Lifetime => StunMessage.TryParse(Bytes, out StunMessage m, out _) && m.TryGetLifetime(out uint l) ? l : null;

        public IPEndPoint? Peer => StunMessage.TryParse(Bytes, out StunMessage m, out _) && m.TryGetXorPeerAddress(out IPEndPoint? p) ? p : null;

        public ushort? Channel => StunMessage.TryParse(Bytes, out StunMessage m, out _) && m.TryGetChannelNumber(out ushort c) ? c : null;
    }
}

/// <summary>A <see cref="StunMessageWriter"/> a lambda can fill (the writer is a ref struct): attributes are queued and written at the end.</summary>
internal sealed class StunWriterBox(byte[] buffer, StunMethod method, StunMessageClass messageClass, StunTransactionId id)
{
    private readonly List<(StunAttributeType Type, byte[]? Value, IPEndPoint? Address, bool Xor)> _attributes = [];

    public void AddXorRelayedAddress(IPEndPoint endPoint) => _attributes.Add((StunAttributeType.XorRelayedAddress, null, endPoint, true));

    public void AddXorMappedAddress(IPEndPoint endPoint) => _attributes.Add((StunAttributeType.XorMappedAddress, null, endPoint, true));

    public void AddAlternateServer(IPEndPoint endPoint) => _attributes.Add((StunAttributeType.AlternateServer, null, endPoint, false));

    public void AddLifetime(uint seconds)
    {
        var value = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, seconds);
        _attributes.Add((StunAttributeType.Lifetime, value, null, false));
    }

    public void AddErrorCode(int code, string reason)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        var value = new byte[4 + text.Length];
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        text.CopyTo(value, 4);
        _attributes.Add((StunAttributeType.ErrorCode, value, null, false));
    }

    public void AddAttribute(StunAttributeType type, byte[] value) => _attributes.Add((type, value, null, false));

    public byte[] Finish(byte[]? key, bool sha256)
    {
        var writer = new StunMessageWriter(buffer, method, messageClass, id);
        foreach ((StunAttributeType type, byte[]? value, IPEndPoint? address, _) in _attributes)
        {
            if (address is null)
            {
                writer.AddAttribute(type, value);
            }
            else if (type == StunAttributeType.XorRelayedAddress)
            {
                writer.AddXorRelayedAddress(address);
            }
            else if (type == StunAttributeType.XorMappedAddress)
            {
                writer.AddXorMappedAddress(address);
            }
            else
            {
                writer.AddAlternateServer(address);
            }
        }

        if (key is not null && sha256)
        {
            byte[] prefix = buffer[..writer.Length];
            BinaryPrimitives.WriteUInt16BigEndian(prefix.AsSpan(2), (ushort)(prefix.Length - 20 + 4 + 32));
            writer.AddAttribute(StunAttributeType.MessageIntegritySha256, HMACSHA256.HashData(key, prefix));
        }
        else if (key is not null)
        {
            writer.AddMessageIntegrity(key);
        }

        writer.AddFingerprint();
        return buffer[..writer.Complete()];
    }
}

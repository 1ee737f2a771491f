using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Intercom.Media.Nat;

/// <summary>
/// Writes one STUN message (RFC 8489 §5, §14) into a caller's buffer: the header, then attributes in the order added,
/// each padded to 4 bytes with zeros, the length field kept up to date; MESSAGE-INTEGRITY and FINGERPRINT are computed
/// over what was written before them, so add them last (§14.5, §14.7). Nothing is allocated. When the buffer is too small
/// or a value cannot be represented, <see cref="Complete"/> returns 0.
/// </summary>
public ref struct StunMessageWriter
{
    private readonly Span<byte> _buffer;
    private readonly IBufferWriter<byte>? _output;
    private int _length;
    private bool _failed;
    private bool _sealed;

    /// <summary>Starts a message of <paramref name="method"/> and <paramref name="messageClass"/> in <paramref name="destination"/>.</summary>
    public StunMessageWriter(Span<byte> destination, StunMethod method, StunMessageClass messageClass, StunTransactionId transactionId)
    {
        _buffer = destination;
        if (destination.Length < StunMessage.HeaderSize)
        {
            _failed = true;
            return;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, StunMessage.TypeOf(method, messageClass));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StunMessage.MagicCookie);
        transactionId.Write(destination[8..]);
        _length = StunMessage.HeaderSize;
    }

    /// <summary>As above, into <paramref name="output"/> (at most <see cref="StunMessage.MaxLength"/> bytes); <see cref="Complete"/> advances it.</summary>
    public StunMessageWriter(IBufferWriter<byte> output, StunMethod method, StunMessageClass messageClass, StunTransactionId transactionId)
        : this((output ?? throw new ArgumentNullException(nameof(output))).GetSpan(StunMessage.MaxLength), method, messageClass, transactionId)
    {
        _output = output;
    }

    /// <summary>Bytes written so far (0 after a failure).</summary>
    public readonly int Length => _failed ? 0 : _length;

    /// <summary>Adds an attribute with a raw value.</summary>
    public void AddAttribute(StunAttributeType type, ReadOnlySpan<byte> value)
    {
        Span<byte> slot = Reserve(type, value.Length);
        value.CopyTo(slot);
    }

    /// <summary>XOR-MAPPED-ADDRESS (§14.2).</summary>
    public void AddXorMappedAddress(IPEndPoint endPoint) => AddAddress(StunAttributeType.XorMappedAddress, endPoint, xor: true);

    /// <summary>MAPPED-ADDRESS (§14.1).</summary>
    public void AddMappedAddress(IPEndPoint endPoint) => AddAddress(StunAttributeType.MappedAddress, endPoint, xor: false);

    /// <summary>ALTERNATE-SERVER (§14.15).</summary>
    public void AddAlternateServer(IPEndPoint endPoint) => AddAddress(StunAttributeType.AlternateServer, endPoint, xor: false);

    /// <summary>XOR-PEER-ADDRESS (RFC 8656 §18.3).</summary>
    public void AddXorPeerAddress(IPEndPoint endPoint) => AddAddress(StunAttributeType.XorPeerAddress, endPoint, xor: true);

    /// <summary>XOR-RELAYED-ADDRESS (RFC 8656 §18.5).</summary>
    public void AddXorRelayedAddress(IPEndPoint endPoint) => AddAddress(StunAttributeType.XorRelayedAddress, endPoint, xor: true);

    /// <summary>USERNAME (§14.3).</summary>
    public void AddUsername(string username) => AddText(StunAttributeType.Username, username, 513);

    /// <summary>REALM (§14.9).</summary>
    public void AddRealm(string realm) => AddText(StunAttributeType.Realm, realm, 763);

    /// <summary>NONCE (§14.10).</summary>
    public void AddNonce(string nonce) => AddText(StunAttributeType.Nonce, nonce, 763);

    /// <summary>SOFTWARE (§14.14).</summary>
    public void AddSoftware(string software) => AddText(StunAttributeType.Software, software, 763);

    /// <summary>ERROR-CODE (§14.8): <paramref name="code"/> 300–699 and a reason phrase.</summary>
    public void AddErrorCode(int code, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        int reasonLength = Encoding.UTF8.GetByteCount(reason);
        if (code is < 300 or > 699 || reasonLength > 763)
        {
            _failed = true;
            return;
        }

        Span<byte> slot = Reserve(StunAttributeType.ErrorCode, 4 + reasonLength);
        if (slot.Length == 0)
        {
            return;
        }

        slot[0] = 0;
        slot[1] = 0;
        slot[2] = (byte)(code / 100);
        slot[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, slot[4..]);
    }

    /// <summary>UNKNOWN-ATTRIBUTES (§14.13).</summary>
    public void AddUnknownAttributes(ReadOnlySpan<ushort> types)
    {
        Span<byte> slot = Reserve(StunAttributeType.UnknownAttributes, 2 * types.Length);
        for (int i = 0; i < types.Length && slot.Length > 0; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(slot[(2 * i)..], types[i]);
        }
    }

    /// <summary>PRIORITY (RFC 8445 §16.1).</summary>
    public void AddPriority(uint priority) => AddUInt32(StunAttributeType.Priority, priority);

    /// <summary>USE-CANDIDATE (RFC 8445 §16.1).</summary>
    public void AddUseCandidate() => Reserve(StunAttributeType.UseCandidate, 0);

    /// <summary>ICE-CONTROLLED (RFC 8445 §16.1).</summary>
    public void AddIceControlled(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlled, tieBreaker);

    /// <summary>ICE-CONTROLLING (RFC 8445 §16.1).</summary>
    public void AddIceControlling(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlling, tieBreaker);

    /// <summary>CHANNEL-NUMBER (RFC 8656 §18.1): the number, then 16 reserved bits.</summary>
    public void AddChannelNumber(ushort channel) => AddUInt32(StunAttributeType.ChannelNumber, (uint)channel << 16);

    /// <summary>LIFETIME (RFC 8656 §18.2), in seconds.</summary>
    public void AddLifetime(uint seconds) => AddUInt32(StunAttributeType.Lifetime, seconds);

    /// <summary>DATA (RFC 8656 §18.4).</summary>
    public void AddData(ReadOnlySpan<byte> data) => AddAttribute(StunAttributeType.Data, data);

    /// <summary>REQUESTED-TRANSPORT (RFC 8656 §18.7): the protocol number, then 24 reserved bits.</summary>
    public void AddRequestedTransport(byte protocol) => AddUInt32(StunAttributeType.RequestedTransport, (uint)protocol << 24);

    /// <summary>REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).</summary>
    public void AddRequestedAddressFamily(AddressFamily family)
    {
        byte value = family switch { AddressFamily.InterNetwork => 1, AddressFamily.InterNetworkV6 => 2, _ => 0 };
        if (value == 0)
        {
            _failed = true;
            return;
        }

        AddUInt32(StunAttributeType.RequestedAddressFamily, (uint)value << 24);
    }

    /// <summary>DONT-FRAGMENT (RFC 8656 §18.8).</summary>
    public void AddDontFragment() => Reserve(StunAttributeType.DontFragment, 0);

    /// <summary>
    /// MESSAGE-INTEGRITY (§14.5): HMAC-SHA1 with <paramref name="key"/> (<see cref="StunCredentials"/>) over everything
    /// written so far, the length field counting this attribute. Only FINGERPRINT may follow.
    /// </summary>
    public void AddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int prefix = _length;
        Span<byte> slot = Reserve(StunAttributeType.MessageIntegrity, StunMessage.IntegrityLength);
        if (slot.Length == 0)
        {
            return;
        }

        StunMessage.ComputeIntegrity(_buffer[..prefix], key, slot);
    }

    /// <summary>FINGERPRINT (§14.7): the last attribute.</summary>
    public void AddFingerprint()
    {
        int prefix = _length;
        Span<byte> slot = Reserve(StunAttributeType.Fingerprint, 4);
        if (slot.Length == 0)
        {
            return;
        }

        BinaryPrimitives.WriteUInt32BigEndian(slot, StunFingerprint.Compute(_buffer[..prefix]));
        _sealed = true;
    }

    /// <summary>The message's length in bytes, or 0 when it did not fit or a value was refused; advances the buffer writer if any.</summary>
    public int Complete()
    {
        if (_failed)
        {
            return 0;
        }

        _output?.Advance(_length);
        return _length;
    }

    private void AddAddress(StunAttributeType type, IPEndPoint endPoint, bool xor)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        Span<byte> slot = Reserve(type, StunAddressCodec.LengthOf(endPoint));
        if (slot.Length > 0 && StunAddressCodec.Write(slot, endPoint, xor, _buffer[..StunMessage.HeaderSize]) == 0)
        {
            _failed = true;
        }
    }

    private void AddText(StunAttributeType type, string text, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        int length = Encoding.UTF8.GetByteCount(text);
        if (length > maxBytes)
        {
            _failed = true;
            return;
        }

        Span<byte> slot = Reserve(type, length);
        if (slot.Length > 0)
        {
            Encoding.UTF8.GetBytes(text, slot);
        }
    }

    private void AddUInt32(StunAttributeType type, uint value)
    {
        Span<byte> slot = Reserve(type, 4);
        if (slot.Length > 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(slot, value);
        }
    }

    private void AddUInt64(StunAttributeType type, ulong value)
    {
        Span<byte> slot = Reserve(type, 8);
        if (slot.Length > 0)
        {
            BinaryPrimitives.WriteUInt64BigEndian(slot, value);
        }
    }

    /// <summary>Writes the attribute header and padding, updates the length field and returns the value's slot (empty on failure).</summary>
    private Span<byte> Reserve(StunAttributeType type, int valueLength)
    {
        int padded = (valueLength + 3) & ~3;
        if (_failed || _sealed || valueLength > ushort.MaxValue || _length + 4 + padded > Math.Min(_buffer.Length, StunMessage.MaxLength))
        {
            _failed = true;
            return default;
        }

        Span<byte> attribute = _buffer.Slice(_length, 4 + padded);
        BinaryPrimitives.WriteUInt16BigEndian(attribute, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(attribute[2..], (ushort)valueLength);
        attribute[(4 + valueLength)..].Clear();
        _length += 4 + padded;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunMessage.HeaderSize));

        // A zero-length attribute's slot is empty too: callers of those write nothing into it.
        return attribute.Slice(4, valueLength);
    }
}

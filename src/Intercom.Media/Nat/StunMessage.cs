using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Intercom.Media.Nat;

/// <summary>
/// A parsed STUN message (RFC 8489 §5, §14): a view over the datagram, checked once by <see cref="TryParse"/> (header,
/// cookie, length, every attribute's bounds, at most <see cref="MaxAttributes"/> of them, FINGERPRINT last), with typed
/// accessors that never throw on what a peer sent. Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are not
/// covered by it and are ignored (§14.5). Nothing is copied until an accessor returns a string or an address.
/// </summary>
public readonly ref struct StunMessage
{
    /// <summary>The fixed magic cookie (§5).</summary>
    public const uint MagicCookie = 0x2112A442;

    /// <summary>Size of the header.</summary>
    public const int HeaderSize = 20;

    /// <summary>Longest message accepted (a datagram on a media socket; TURN's DATA of one RTP packet fits easily).</summary>
    public const int MaxLength = 8192;

    /// <summary>Most attributes accepted in one message (a Binding response has a handful).</summary>
    public const int MaxAttributes = 64;

    /// <summary>Size of a MESSAGE-INTEGRITY value (HMAC-SHA1).</summary>
    public const int IntegrityLength = 20;

    // The longest USERNAME, REALM, NONCE and SOFTWARE values §14 allows, in bytes (763 for the 128-character ones).
    private const int MaxTextLength = 763;

    private readonly int _integrityOffset;
    private readonly int _fingerprintOffset;

    private StunMessage(ReadOnlySpan<byte> bytes, int attributeCount, int integrityOffset, int fingerprintOffset)
    {
        Bytes = bytes;
        AttributeCount = attributeCount;
        _integrityOffset = integrityOffset;
        _fingerprintOffset = fingerprintOffset;
    }

    /// <summary>The whole message.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>The 14-bit message type field.</summary>
    public ushort MessageType => BinaryPrimitives.ReadUInt16BigEndian(Bytes);

    /// <summary>The method (the 12 M bits of the type, §5); an unknown one is returned as its number.</summary>
    public StunMethod Method => (StunMethod)MethodOf(MessageType);

    /// <summary>The class (the C bits of the type).</summary>
    public StunMessageClass Class => ClassOf(MessageType);

    /// <summary>The transaction id.</summary>
    public StunTransactionId TransactionId => StunTransactionId.Read(Bytes[8..]);

    /// <summary>Attributes in the message, including any ignored after MESSAGE-INTEGRITY.</summary>
    public int AttributeCount { get; }

    /// <summary>True when the message carries MESSAGE-INTEGRITY.</summary>
    public bool HasMessageIntegrity => _integrityOffset >= 0;

    /// <summary>True when the message carries FINGERPRINT (then it is the last attribute).</summary>
    public bool HasFingerprint => _fingerprintOffset >= 0;

    /// <summary>The message type field for <paramref name="method"/> and <paramref name="messageClass"/> (§5, figure 3).</summary>
    public static ushort TypeOf(StunMethod method, StunMessageClass messageClass)
    {
        int m = (int)method & 0xFFF;
        int c = (int)messageClass;
        return (ushort)((m & 0x000F) | ((c & 1) << 4) | ((m & 0x0070) << 1) | ((c & 2) << 7) | ((m & 0x0F80) << 2));
    }

    /// <summary>The method bits of a message type.</summary>
    public static ushort MethodOf(ushort type) => (ushort)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));

    /// <summary>The class bits of a message type.</summary>
    public static StunMessageClass ClassOf(ushort type) => (StunMessageClass)(((type & 0x0010) >> 4) | ((type & 0x0100) >> 7));

    /// <summary>
    /// Whether <paramref name="data"/> could be a STUN message at all (§6.3 and RFC 7983: the top two bits zero, the
    /// cookie in place, a length that is a multiple of 4 and fits): the cheap test before a full parse.
    /// </summary>
    public static bool IsStun(ReadOnlySpan<byte> data) =>
        data.Length >= HeaderSize && (data[0] & 0xC0) == 0 && BinaryPrimitives.ReadUInt32BigEndian(data[4..]) == MagicCookie
        && (BinaryPrimitives.ReadUInt16BigEndian(data[2..]) & 3) == 0 && BinaryPrimitives.ReadUInt16BigEndian(data[2..]) + HeaderSize == data.Length;

    /// <summary>Parses one STUN message that is exactly <paramref name="data"/> (a UDP datagram). Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out StunMessage message, out StunParseError error)
    {
        message = default;
        error = Check(data, out int count, out int integrity, out int fingerprint);
        if (error != StunParseError.None)
        {
            return false;
        }

        message = new StunMessage(data, count, integrity, fingerprint);
        return true;
    }

    /// <summary>The value of the first attribute of <paramref name="type"/> covered by MESSAGE-INTEGRITY (or any, without it).</summary>
    public bool TryGetAttribute(StunAttributeType type, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (type == StunAttributeType.MessageIntegrity)
        {
            return Value(_integrityOffset, out value);
        }

        if (type == StunAttributeType.Fingerprint)
        {
            return Value(_fingerprintOffset, out value);
        }

        int end = _integrityOffset >= 0 ? _integrityOffset : Bytes.Length;
        for (int offset = HeaderSize; offset + 4 <= end; offset = Next(offset))
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(Bytes[offset..]) == (ushort)type)
            {
                return Value(offset, out value);
            }
        }

        return false;
    }

    /// <summary>The attribute at <paramref name="index"/> (0 ≤ index &lt; <see cref="AttributeCount"/>), in message order.</summary>
    public StunAttribute GetAttribute(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, AttributeCount);
        int offset = HeaderSize;
        for (int i = 0; i < index; i++)
        {
            offset = Next(offset);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(Bytes[(offset + 2)..]);
        return new StunAttribute((StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(Bytes[offset..]), Bytes.Slice(offset + 4, length));
    }

    /// <summary>
    /// The first comprehension-required attribute (type below 0x8000, §15) that is not in <paramref name="known"/>, among
    /// those covered by MESSAGE-INTEGRITY: a request with one gets 420, a response with one fails its transaction (§6.3).
    /// </summary>
    public bool TryGetUnknownRequiredAttribute(ReadOnlySpan<StunAttributeType> known, out ushort type)
    {
        int end = _integrityOffset >= 0 ? _integrityOffset : Bytes.Length;
        for (int offset = HeaderSize; offset + 4 <= end; offset = Next(offset))
        {
            ushort t = BinaryPrimitives.ReadUInt16BigEndian(Bytes[offset..]);
            if (t < 0x8000 && !known.Contains((StunAttributeType)t))
            {
                type = t;
                return true;
            }
        }

        type = 0;
        return false;
    }

    /// <summary>XOR-MAPPED-ADDRESS (§14.2): the reflexive transport address the server saw.</summary>
    public bool TryGetXorMappedAddress(out IPEndPoint? endPoint) => TryGetAddress(StunAttributeType.XorMappedAddress, true, out endPoint);

    /// <summary>MAPPED-ADDRESS (§14.1), from servers older than RFC 5389.</summary>
    public bool TryGetMappedAddress(out IPEndPoint? endPoint) => TryGetAddress(StunAttributeType.MappedAddress, false, out endPoint);

    /// <summary>ALTERNATE-SERVER (§14.15).</summary>
    public bool TryGetAlternateServer(out IPEndPoint? endPoint) => TryGetAddress(StunAttributeType.AlternateServer, false, out endPoint);

    /// <summary>XOR-PEER-ADDRESS (RFC 8656 §18.3).</summary>
    public bool TryGetXorPeerAddress(out IPEndPoint? endPoint) => TryGetAddress(StunAttributeType.XorPeerAddress, true, out endPoint);

    /// <summary>XOR-RELAYED-ADDRESS (RFC 8656 §18.5).</summary>
    public bool TryGetXorRelayedAddress(out IPEndPoint? endPoint) => TryGetAddress(StunAttributeType.XorRelayedAddress, true, out endPoint);

    /// <summary>USERNAME (§14.3): UTF-8, fewer than 514 bytes.</summary>
    public bool TryGetUsername(out string? username) => TryGetText(StunAttributeType.Username, 513, out username);

    /// <summary>REALM (§14.9).</summary>
    public bool TryGetRealm(out string? realm) => TryGetText(StunAttributeType.Realm, MaxTextLength, out realm);

    /// <summary>NONCE (§14.10).</summary>
    public bool TryGetNonce(out string? nonce) => TryGetText(StunAttributeType.Nonce, MaxTextLength, out nonce);

    /// <summary>SOFTWARE (§14.14).</summary>
    public bool TryGetSoftware(out string? software) => TryGetText(StunAttributeType.Software, MaxTextLength, out software);

    /// <summary>ERROR-CODE (§14.8): class × 100 + number (300–699) and the reason phrase.</summary>
    public bool TryGetErrorCode(out int code, out string? reason)
    {
        code = 0;
        reason = null;
        if (!TryGetAttribute(StunAttributeType.ErrorCode, out ReadOnlySpan<byte> value) || value.Length < 4 || value.Length > 4 + MaxTextLength)
        {
            return false;
        }

        int errorClass = value[2] & 0x07;
        int number = value[3];
        if (errorClass is < 3 or > 6 || number > 99 || !TryDecode(value[4..], out reason))
        {
            return false;
        }

        code = (errorClass * 100) + number;
        return true;
    }

    /// <summary>UNKNOWN-ATTRIBUTES (§14.13): the types, into <paramref name="types"/>; the count is how many the attribute holds.</summary>
    public bool TryGetUnknownAttributes(Span<ushort> types, out int count)
    {
        count = 0;
        if (!TryGetAttribute(StunAttributeType.UnknownAttributes, out ReadOnlySpan<byte> value) || (value.Length & 1) != 0)
        {
            return false;
        }

        count = value.Length / 2;
        for (int i = 0; i < count && i < types.Length; i++)
        {
            types[i] = BinaryPrimitives.ReadUInt16BigEndian(value[(2 * i)..]);
        }

        return true;
    }

    /// <summary>PRIORITY (RFC 8445 §16.1).</summary>
    public bool TryGetPriority(out uint priority) => TryGetUInt32(StunAttributeType.Priority, out priority);

    /// <summary>USE-CANDIDATE (RFC 8445 §16.1): present or not.</summary>
    public bool HasUseCandidate => TryGetAttribute(StunAttributeType.UseCandidate, out _);

    /// <summary>ICE-CONTROLLED's tie-breaker (RFC 8445 §16.1).</summary>
    public bool TryGetIceControlled(out ulong tieBreaker) => TryGetUInt64(StunAttributeType.IceControlled, out tieBreaker);

    /// <summary>ICE-CONTROLLING's tie-breaker (RFC 8445 §16.1).</summary>
    public bool TryGetIceControlling(out ulong tieBreaker) => TryGetUInt64(StunAttributeType.IceControlling, out tieBreaker);

    /// <summary>CHANNEL-NUMBER (RFC 8656 §18.1): the number (the RFFU half is ignored).</summary>
    public bool TryGetChannelNumber(out ushort channel)
    {
        channel = 0;
        if (!TryGetAttribute(StunAttributeType.ChannelNumber, out ReadOnlySpan<byte> value) || value.Length != 4)
        {
            return false;
        }

        channel = BinaryPrimitives.ReadUInt16BigEndian(value);
        return true;
    }

    /// <summary>LIFETIME (RFC 8656 §18.2), in seconds.</summary>
    public bool TryGetLifetime(out uint seconds) => TryGetUInt32(StunAttributeType.Lifetime, out seconds);

    /// <summary>DATA (RFC 8656 §18.4).</summary>
    public bool TryGetData(out ReadOnlySpan<byte> data) => TryGetAttribute(StunAttributeType.Data, out data);

    /// <summary>REQUESTED-TRANSPORT (RFC 8656 §18.7): the IP protocol number (17 for UDP).</summary>
    public bool TryGetRequestedTransport(out byte protocol)
    {
        protocol = 0;
        if (!TryGetAttribute(StunAttributeType.RequestedTransport, out ReadOnlySpan<byte> value) || value.Length != 4)
        {
            return false;
        }

        protocol = value[0];
        return true;
    }

    /// <summary>REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6): IPv4 (1) or IPv6 (2).</summary>
    public bool TryGetRequestedAddressFamily(out AddressFamily family)
    {
        family = AddressFamily.Unspecified;
        if (!TryGetAttribute(StunAttributeType.RequestedAddressFamily, out ReadOnlySpan<byte> value) || value.Length != 4)
        {
            return false;
        }

        family = value[0] switch { 1 => AddressFamily.InterNetwork, 2 => AddressFamily.InterNetworkV6, _ => AddressFamily.Unspecified };
        return family != AddressFamily.Unspecified;
    }

    /// <summary>DONT-FRAGMENT (RFC 8656 §18.8): present or not.</summary>
    public bool HasDontFragment => TryGetAttribute(StunAttributeType.DontFragment, out _);

    /// <summary>
    /// Checks MESSAGE-INTEGRITY (§14.5) with <paramref name="key"/> (<see cref="StunCredentials"/>): the HMAC-SHA1 of the
    /// message up to the attribute, with the length field set as if the message ended after it. Compared in constant time.
    /// </summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (_integrityOffset < 0)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[IntegrityLength];
        ComputeIntegrity(Bytes[.._integrityOffset], key, mac);
        return CryptographicOperations.FixedTimeEquals(mac, Bytes.Slice(_integrityOffset + 4, IntegrityLength));
    }

    /// <summary>Checks FINGERPRINT (§14.7); false when there is none.</summary>
    public bool VerifyFingerprint()
    {
        if (_fingerprintOffset < 0)
        {
            return false;
        }

        uint expected = StunFingerprint.Compute(Bytes[.._fingerprintOffset]);
        return BinaryPrimitives.ReadUInt32BigEndian(Bytes[(_fingerprintOffset + 4)..]) == expected;
    }

    /// <summary>
    /// The HMAC-SHA1 of <paramref name="prefix"/> (a message's header and attributes before MESSAGE-INTEGRITY) as §14.5
    /// computes it: with the header's length field counting up to the end of the MESSAGE-INTEGRITY attribute.
    /// </summary>
    internal static void ComputeIntegrity(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> key, Span<byte> mac)
    {
        byte[]? rented = null;
        Span<byte> copy = prefix.Length <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(prefix.Length));
        copy = copy[..prefix.Length];
        prefix.CopyTo(copy);
        BinaryPrimitives.WriteUInt16BigEndian(copy[2..], (ushort)(prefix.Length - HeaderSize + 4 + IntegrityLength));
        HMACSHA1.HashData(key, copy, mac);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static StunParseError Check(ReadOnlySpan<byte> data, out int count, out int integrity, out int fingerprint)
    {
        count = 0;
        integrity = -1;
        fingerprint = -1;
        if (data.Length < HeaderSize)
        {
            return StunParseError.TooShort;
        }

        if ((data[0] & 0xC0) != 0)
        {
            return StunParseError.NotStun;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(data[4..]) != MagicCookie)
        {
            return StunParseError.BadMagicCookie;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if ((length & 3) != 0)
        {
            return StunParseError.UnalignedLength;
        }

        if (HeaderSize + length > MaxLength || data.Length > MaxLength)
        {
            return StunParseError.TooLong;
        }

        if (HeaderSize + length != data.Length)
        {
            return StunParseError.LengthMismatch;
        }

        int offset = HeaderSize;
        while (offset < data.Length)
        {
            if (offset + 4 > data.Length)
            {
                return StunParseError.TruncatedAttribute;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            int next = offset + 4 + ((valueLength + 3) & ~3);
            if (next > data.Length)
            {
                return StunParseError.TruncatedAttribute;
            }

            if (++count > MaxAttributes)
            {
                return StunParseError.TooManyAttributes;
            }

            if (fingerprint >= 0)
            {
                return StunParseError.FingerprintNotLast;
            }

            if (type == (ushort)StunAttributeType.MessageIntegrity && integrity < 0)
            {
                if (valueLength != IntegrityLength)
                {
                    return StunParseError.BadIntegrityLength;
                }

                integrity = offset;
            }
            else if (type == (ushort)StunAttributeType.Fingerprint)
            {
                if (valueLength != 4)
                {
                    return StunParseError.BadIntegrityLength;
                }

                fingerprint = offset;
            }

            offset = next;
        }

        return StunParseError.None;
    }

    private int Next(int offset) => offset + 4 + ((BinaryPrimitives.ReadUInt16BigEndian(Bytes[(offset + 2)..]) + 3) & ~3);

    private bool Value(int offset, out ReadOnlySpan<byte> value)
    {
        if (offset < 0)
        {
            value = default;
            return false;
        }

        value = Bytes.Slice(offset + 4, BinaryPrimitives.ReadUInt16BigEndian(Bytes[(offset + 2)..]));
        return true;
    }

    private bool TryGetAddress(StunAttributeType type, bool xor, out IPEndPoint? endPoint)
    {
        endPoint = null;
        return TryGetAttribute(type, out ReadOnlySpan<byte> value) && StunAddressCodec.TryRead(value, xor, Bytes[..HeaderSize], out endPoint);
    }

    private bool TryGetText(StunAttributeType type, int maxLength, out string? text)
    {
        text = null;
        return TryGetAttribute(type, out ReadOnlySpan<byte> value) && value.Length <= maxLength && TryDecode(value, out text);
    }

    private static bool TryDecode(ReadOnlySpan<byte> utf8, out string? text)
    {
        text = null;
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return false;
        }

        text = Encoding.UTF8.GetString(utf8);
        return true;
    }

    private bool TryGetUInt32(StunAttributeType type, out uint number)
    {
        number = 0;
        if (!TryGetAttribute(type, out ReadOnlySpan<byte> value) || value.Length != 4)
        {
            return false;
        }

        number = BinaryPrimitives.ReadUInt32BigEndian(value);
        return true;
    }

    private bool TryGetUInt64(StunAttributeType type, out ulong number)
    {
        number = 0;
        if (!TryGetAttribute(type, out ReadOnlySpan<byte> value) || value.Length != 8)
        {
            return false;
        }

        number = BinaryPrimitives.ReadUInt64BigEndian(value);
        return true;
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Text;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>
/// Reads the attributes of a parsed TURN response or indication that its integrity covers (RFC 8489 §14.5, §14.6): those
/// before the first MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 (a message carrying only the SHA-256 one is bounded
/// by it too, which <see cref="StunMessage.TryGetAttribute"/> does not know). The first attribute of a type counts.
/// </summary>
internal static class TurnMessageReader
{
    // The longest REALM and NONCE values §14.9/§14.10 allow.
    private const int MaxTextLength = 763;

    /// <summary>The value of the first covered attribute of <paramref name="type"/>.</summary>
    public static bool TryGet(ReadOnlySpan<byte> message, StunAttributeType type, out ReadOnlySpan<byte> value)
    {
        int offset = StunMessage.HeaderSize;
        while (offset + 4 <= message.Length)
        {
            var t = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            if (t is StunAttributeType.MessageIntegrity or StunAttributeType.MessageIntegritySha256 or StunAttributeType.Fingerprint
                || offset + 4 + length > message.Length)
            {
                break;
            }

            if (t == type)
            {
                value = message.Slice(offset + 4, length);
                return true;
            }

            offset += 4 + ((length + 3) & ~3);
        }

        value = default;
        return false;
    }

    /// <summary>The offset of the first attribute of <paramref name="type"/> anywhere in the message, or -1.</summary>
    public static int OffsetOf(ReadOnlySpan<byte> message, StunAttributeType type)
    {
        int offset = StunMessage.HeaderSize;
        while (offset + 4 <= message.Length)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            if (BinaryPrimitives.ReadUInt16BigEndian(message[offset..]) == (ushort)type)
            {
                return offset + 4 + length <= message.Length ? offset : -1;
            }

            offset += 4 + ((length + 3) & ~3);
        }

        return -1;
    }

    /// <summary>The first comprehension-required covered attribute (type below 0x8000) not in <paramref name="known"/>.</summary>
    public static bool TryGetUnknownRequired(ReadOnlySpan<byte> message, ReadOnlySpan<StunAttributeType> known, out ushort unknown)
    {
        int offset = StunMessage.HeaderSize;
        while (offset + 4 <= message.Length)
        {
            ushort t = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            if ((StunAttributeType)t is StunAttributeType.MessageIntegrity or StunAttributeType.MessageIntegritySha256 or StunAttributeType.Fingerprint)
            {
                break;
            }

            if (t < 0x8000 && !known.Contains((StunAttributeType)t))
            {
                unknown = t;
                return true;
            }

            offset += 4 + ((length + 3) & ~3);
        }

        unknown = 0;
        return false;
    }

    /// <summary>An XOR-ed address attribute (XOR-RELAYED-ADDRESS, XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS).</summary>
    public static bool TryGetXorAddress(ReadOnlySpan<byte> message, StunAttributeType type, out IPEndPoint? endPoint)
    {
        endPoint = null;
        return TryGet(message, type, out ReadOnlySpan<byte> value)
            && StunAddressCodec.TryRead(value, xor: true, message[..StunMessage.HeaderSize], out endPoint);
    }

    /// <summary>A plain address attribute (ALTERNATE-SERVER).</summary>
    public static bool TryGetAddress(ReadOnlySpan<byte> message, StunAttributeType type, out IPEndPoint? endPoint)
    {
        endPoint = null;
        return TryGet(message, type, out ReadOnlySpan<byte> value)
            && StunAddressCodec.TryRead(value, xor: false, message[..StunMessage.HeaderSize], out endPoint);
    }

    /// <summary>A 32-bit value (LIFETIME).</summary>
    public static bool TryGetUInt32(ReadOnlySpan<byte> message, StunAttributeType type, out uint number)
    {
        number = 0;
        if (!TryGet(message, type, out ReadOnlySpan<byte> value) || value.Length != 4)
        {
            return false;
        }

        number = BinaryPrimitives.ReadUInt32BigEndian(value);
        return true;
    }

    /// <summary>A UTF-8 text attribute (REALM, NONCE) of at most 763 bytes.</summary>
    public static bool TryGetText(ReadOnlySpan<byte> message, StunAttributeType type, out string? text)
    {
        text = null;
        if (!TryGet(message, type, out ReadOnlySpan<byte> value) || value.Length > MaxTextLength || !System.Text.Unicode.Utf8.IsValid(value))
        {
            return false;
        }

        text = Encoding.UTF8.GetString(value);
        return true;
    }

    /// <summary>ERROR-CODE (§14.8): 300–699 and the reason phrase (empty when it is not valid UTF-8).</summary>
    public static bool TryGetErrorCode(ReadOnlySpan<byte> message, out int code, out string reason)
    {
        code = 0;
        reason = "";
        if (!TryGet(message, StunAttributeType.ErrorCode, out ReadOnlySpan<byte> value) || value.Length < 4 || value.Length > 4 + MaxTextLength)
        {
            return false;
        }

        int errorClass = value[2] & 0x07;
        int number = value[3];
        if (errorClass is < 3 or > 6 || number > 99)
        {
            return false;
        }

        code = (errorClass * 100) + number;
        if (System.Text.Unicode.Utf8.IsValid(value[4..]))
        {
            reason = Encoding.UTF8.GetString(value[4..]);
        }

        return true;
    }
}

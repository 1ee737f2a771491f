using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>
/// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6): HMAC-SHA256 with the long-term key over the message up to the attribute,
/// the header's length field counting up to the attribute's end. A receiver accepts a value truncated to 16–32 bytes in
/// steps of 4; the client sends all 32.
/// </summary>
internal static class TurnIntegrity
{
    public const int Sha256Length = 32;

    /// <summary>Writes the HMAC of <paramref name="prefix"/> (header and attributes before it) for an attribute of <paramref name="valueLength"/>.</summary>
    public static void ComputeSha256(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> key, int valueLength, Span<byte> mac)
    {
        byte[]? rented = null;
        Span<byte> copy = prefix.Length <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(prefix.Length));
        copy = copy[..prefix.Length];
        prefix.CopyTo(copy);
        BinaryPrimitives.WriteUInt16BigEndian(copy[2..], (ushort)(prefix.Length - StunMessage.HeaderSize + 4 + valueLength));
        HMACSHA256.HashData(key, copy, mac);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Adds MESSAGE-INTEGRITY-SHA256 to what <paramref name="writer"/> wrote into <paramref name="buffer"/>.</summary>
    public static void AddSha256(ref StunMessageWriter writer, ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> key)
    {
        int length = writer.Length;
        if (length == 0)
        {
            return;
        }

        // On the heap: the writer is a ref struct the compiler cannot prove keeps no reference (a request, not the media path).
        var mac = new byte[Sha256Length];
        ComputeSha256(buffer[..length], key, Sha256Length, mac);
        writer.AddAttribute(StunAttributeType.MessageIntegritySha256, mac);
    }

    /// <summary>
    /// Checks the message's integrity with <paramref name="key"/>: MESSAGE-INTEGRITY-SHA256 when it has one, else
    /// MESSAGE-INTEGRITY (§9.2.5). False when it has neither, or the one it has does not match.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> key)
    {
        int offset = TurnMessageReader.OffsetOf(message, StunAttributeType.MessageIntegritySha256);
        if (offset >= 0)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            if (length is < 16 or > Sha256Length || (length & 3) != 0)
            {
                return false;
            }

            Span<byte> mac = stackalloc byte[Sha256Length];
            ComputeSha256(message[..offset], key, length, mac);
            return CryptographicOperations.FixedTimeEquals(mac[..length], message.Slice(offset + 4, length));
        }

        return StunMessage.TryParse(message, out StunMessage parsed, out _) && parsed.VerifyMessageIntegrity(key);
    }
}

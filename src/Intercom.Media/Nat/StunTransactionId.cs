using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Intercom.Media.Nat;

/// <summary>
/// The 96-bit transaction id of a STUN message (RFC 8489 §5): chosen uniformly at random by the client for each new
/// transaction (and kept for its retransmissions), so an off-path attacker cannot guess it and forge the response.
/// </summary>
public readonly record struct StunTransactionId(ulong High, uint Low)
{
    /// <summary>Size on the wire.</summary>
    public const int Size = 12;

    /// <summary>A new random id (cryptographically random, §5).</summary>
    public static StunTransactionId New()
    {
        Span<byte> bytes = stackalloc byte[Size];
        RandomNumberGenerator.Fill(bytes);
        return Read(bytes);
    }

    /// <summary>The id held in the first 12 bytes of <paramref name="source"/>.</summary>
    public static StunTransactionId Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt32BigEndian(source[8..]));

    /// <summary>Writes the 12 bytes into <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Low);
    }

    public override string ToString() => $"{High:x16}{Low:x8}";
}

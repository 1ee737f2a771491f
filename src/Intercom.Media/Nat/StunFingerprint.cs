namespace Intercom.Media.Nat;

/// <summary>
/// The FINGERPRINT value (RFC 8489 §14.7): the CRC-32 of ISO/IEC 13239 (the one of Ethernet and zlib: reflected
/// polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF) of the message up to the attribute, XOR 0x5354554E ("STUN"),
/// so a STUN message is told apart from other protocols on the same port.
/// </summary>
public static class StunFingerprint
{
    /// <summary>What the CRC is XOR-ed with.</summary>
    public const uint Xor = 0x5354554E;

    private static readonly uint[] Table = CreateTable();

    /// <summary>The FINGERPRINT value of <paramref name="message"/> (everything before the attribute, length field already counting it).</summary>
    public static uint Compute(ReadOnlySpan<byte> message) => Crc32(message) ^ Xor;

    /// <summary>The plain CRC-32 of <paramref name="data"/>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        uint[] table = Table;
        foreach (byte b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}

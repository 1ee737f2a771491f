using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Intercom.Media.Nat;

/// <summary>
/// The address attribute value (RFC 8489 §14.1, §14.2): a reserved byte, the family (1 IPv4, 2 IPv6), the port and the
/// address; the XOR form XORs the port with the cookie's top 16 bits and the address with the cookie (IPv4) or the
/// cookie and the transaction id (IPv6), so a NAT that rewrites addresses it finds in payloads leaves it alone.
/// </summary>
internal static class StunAddressCodec
{
    public const int IPv4Length = 8;
    public const int IPv6Length = 20;

    public static bool TryRead(ReadOnlySpan<byte> value, bool xor, ReadOnlySpan<byte> header, out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (value.Length < 4)
        {
            return false;
        }

        byte family = value[1];
        int length = family switch { 1 => IPv4Length, 2 => IPv6Length, _ => -1 };
        if (length < 0 || value.Length != length)
        {
            return false;
        }

        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]);
        Span<byte> address = stackalloc byte[length - 4];
        value[4..].CopyTo(address);
        if (xor)
        {
            port ^= (int)(StunMessage.MagicCookie >> 16);

            // header[4..20] is the magic cookie followed by the transaction id: the XOR pad of §14.2.
            for (int i = 0; i < address.Length; i++)
            {
                address[i] ^= header[4 + i];
            }
        }

        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    public static int Write(Span<byte> destination, IPEndPoint endPoint, bool xor, ReadOnlySpan<byte> header)
    {
        IPAddress ip = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        bool v4 = ip.AddressFamily == AddressFamily.InterNetwork;
        int length = v4 ? IPv4Length : IPv6Length;
        destination[0] = 0;
        destination[1] = (byte)(v4 ? 1 : 2);
        int port = endPoint.Port ^ (xor ? (int)(StunMessage.MagicCookie >> 16) : 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)port);
        Span<byte> address = destination.Slice(4, length - 4);
        if (!ip.TryWriteBytes(address, out _))
        {
            return 0;
        }

        if (xor)
        {
            for (int i = 0; i < address.Length; i++)
            {
                address[i] ^= header[4 + i];
            }
        }

        return length;
    }

    /// <summary>The attribute length an address of <paramref name="endPoint"/>'s family takes.</summary>
    public static int LengthOf(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetwork || endPoint.Address.IsIPv4MappedToIPv6 ? IPv4Length : IPv6Length;
}

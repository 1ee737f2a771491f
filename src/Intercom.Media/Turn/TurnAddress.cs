using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Intercom.Media.Turn;

/// <summary>
/// Allocation-free comparisons of transport addresses for the receive and send paths: an IPv4 address and its
/// IPv4-mapped IPv6 form (a dual-stack socket) are the same address.
/// </summary>
internal static class TurnAddress
{
    /// <summary>Writes <paramref name="address"/> as 16 bytes, an IPv4 address in its mapped form ::ffff:a.b.c.d.</summary>
    public static void WriteMapped(IPAddress address, Span<byte> destination)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            destination[..10].Clear();
            destination[10] = 0xFF;
            destination[11] = 0xFF;
            address.TryWriteBytes(destination[12..], out _);
            return;
        }

        address.TryWriteBytes(destination, out _);
    }

    public static bool SameAddress(IPAddress a, IPAddress b)
    {
        if (a.AddressFamily == b.AddressFamily)
        {
            return a.Equals(b);
        }

        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        WriteMapped(a, x);
        WriteMapped(b, y);
        return x.SequenceEqual(y);
    }

    public static bool Same(IPEndPoint a, IPEndPoint b) =>
        ReferenceEquals(a, b) || (a.Port == b.Port && SameAddress(a.Address, b.Address));

    /// <summary>The IPv4 form of an IPv4-mapped address; others unchanged.</summary>
    public static IPEndPoint Normalise(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    public static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Whether the native sockaddr in <paramref name="socketAddress"/> names <paramref name="mapped"/> (16 bytes) and <paramref name="port"/>.</summary>
    public static bool Matches(SocketAddress socketAddress, ReadOnlySpan<byte> mapped, int port)
    {
        ReadOnlySpan<byte> buffer = socketAddress.Buffer.Span;
        switch (socketAddress.Family)
        {
            case AddressFamily.InterNetwork:
                return socketAddress.Size >= 8 && BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]) == port
                    && mapped[..12].SequenceEqual(MappedPrefix) && buffer.Slice(4, 4).SequenceEqual(mapped[12..]);
            case AddressFamily.InterNetworkV6:
                return socketAddress.Size >= 24 && BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]) == port
                    && buffer.Slice(8, 16).SequenceEqual(mapped);
            default:
                return false;
        }
    }

    private static ReadOnlySpan<byte> MappedPrefix => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF];
}

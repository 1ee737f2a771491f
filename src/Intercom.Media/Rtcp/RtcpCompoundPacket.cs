using System.Buffers.Binary;

namespace Intercom.Media.Rtcp;

/// <summary>
/// Validates and walks a compound RTCP packet (RFC 3550 §6.1, Appendix A.2): version 2 throughout, the first packet an
/// SR or RR without padding, lengths that add up exactly to the datagram, padding only on the last packet.
/// </summary>
public ref struct RtcpCompoundPacket
{
    private readonly ReadOnlySpan<byte> _datagram;
    private int _offset;
    private int _currentLength;
    private int _currentContentLength;

    private RtcpCompoundPacket(ReadOnlySpan<byte> datagram)
    {
        _datagram = datagram;
        _offset = 0;
        _currentLength = 0;
        _currentContentLength = 0;
    }

    /// <summary>The packet the enumerator is on.</summary>
    public readonly RtcpPacket Current => new(_datagram.Slice(_offset, _currentLength), _currentContentLength);

    /// <summary>Validates <paramref name="datagram"/> as a whole; only a valid compound packet can be walked.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out RtcpCompoundPacket compound)
    {
        compound = default;
        if (datagram.Length < 8 || (datagram[0] & 0xE0) != 0x80 || (datagram[1] != 200 && datagram[1] != 201))
        {
            return false;
        }

        int offset = 0;
        while (offset < datagram.Length)
        {
            if (datagram.Length - offset < 4 || (datagram[offset] >> 6) != 2)
            {
                return false;
            }

            int length = 4 * (BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]) + 1);
            if (offset + length > datagram.Length)
            {
                return false;
            }

            bool padding = (datagram[offset] & 0x20) != 0;
            if (padding && (offset + length != datagram.Length || datagram[offset + length - 1] == 0
                || datagram[offset + length - 1] > length - 4))
            {
                return false;
            }

            offset += length;
        }

        compound = new RtcpCompoundPacket(datagram) { _offset = -1 };
        return true;
    }

    /// <summary>Enables <c>foreach</c>.</summary>
    public readonly RtcpCompoundPacket GetEnumerator() => this;

    /// <summary>Advances to the next packet.</summary>
    public bool MoveNext()
    {
        int next = _offset < 0 ? 0 : _offset + _currentLength;
        if (next >= _datagram.Length)
        {
            return false;
        }

        _offset = next;
        _currentLength = 4 * (BinaryPrimitives.ReadUInt16BigEndian(_datagram[(next + 2)..]) + 1);
        bool padding = (_datagram[next] & 0x20) != 0;
        _currentContentLength = padding ? _currentLength - _datagram[next + _currentLength - 1] : _currentLength;
        return true;
    }
}

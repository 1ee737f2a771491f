using System.Buffers.Binary;

namespace Intercom.Media.Nat;

/// <summary>
/// A TURN ChannelData message (RFC 8656 §12.4): a channel number (0x4000–0x4FFF), the data's length and the data, padded
/// to 4 bytes over TCP (over UDP the padding may be absent, §12.5). Its first byte is 64–79 (RFC 7983).
/// </summary>
public readonly ref struct TurnChannelData
{
    /// <summary>The header's size.</summary>
    public const int HeaderSize = 4;

    /// <summary>The lowest channel number (§12).</summary>
    public const ushort MinChannel = 0x4000;

    /// <summary>The highest channel number (§12: 0x5000–0x7FFF are reserved).</summary>
    public const ushort MaxChannel = 0x4FFF;

    private TurnChannelData(ushort channel, ReadOnlySpan<byte> data)
    {
        Channel = channel;
        Data = data;
    }

    /// <summary>The channel number.</summary>
    public ushort Channel { get; }

    /// <summary>The application data.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>
    /// Parses one ChannelData message from the start of <paramref name="datagram"/>: a valid channel number and a length that
    /// fits; bytes after the data (padding) are allowed. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out TurnChannelData message)
    {
        message = default;
        if (datagram.Length < HeaderSize)
        {
            return false;
        }

        ushort channel = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (channel is < MinChannel or > MaxChannel || HeaderSize + length > datagram.Length)
        {
            return false;
        }

        message = new TurnChannelData(channel, datagram.Slice(HeaderSize, length));
        return true;
    }

    /// <summary>
    /// Writes a ChannelData message into <paramref name="destination"/>, padded to 4 bytes when <paramref name="pad"/>
    /// (TCP, §12.5). Returns its length, or 0 when the channel is out of range or it does not fit.
    /// </summary>
    public static int Write(Span<byte> destination, ushort channel, ReadOnlySpan<byte> data, bool pad = false)
    {
        int length = HeaderSize + data.Length;
        int total = pad ? (length + 3) & ~3 : length;
        if (channel is < MinChannel or > MaxChannel || data.Length > ushort.MaxValue || destination.Length < total)
        {
            return 0;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, channel);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)data.Length);
        data.CopyTo(destination[HeaderSize..]);
        destination[length..total].Clear();
        return total;
    }
}

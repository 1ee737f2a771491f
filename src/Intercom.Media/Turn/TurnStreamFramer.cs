using System.Buffers.Binary;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>
/// Where one message ends on a TCP or TLS stream to a TURN server (RFC 8656 §12.5): the first two bits tell a STUN
/// message (00: 20 bytes of header and the length field's bytes) from ChannelData (01: 4 bytes of header and the data,
/// padded to a multiple of 4 on a stream). Anything else means the stream is out of step and must be closed.
/// </summary>
public static class TurnStreamFramer
{
    /// <summary>A message needs more bytes than are buffered.</summary>
    public const int NeedMore = 0;

    /// <summary>The bytes cannot start a message.</summary>
    public const int Invalid = -1;

    /// <summary>The largest frame a stream carries: ChannelData of 65535 bytes and its header, padded.</summary>
    public const int MaxFrame = 4 + 65536;

    /// <summary>The length of the message at the start of <paramref name="buffered"/>, <see cref="NeedMore"/> or <see cref="Invalid"/>.</summary>
    public static int FrameLength(ReadOnlySpan<byte> buffered)
    {
        if (buffered.Length < 4)
        {
            return NeedMore;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(buffered[2..]);
        int frame;
        switch (buffered[0] & 0xC0)
        {
            case 0x00:
                if ((length & 3) != 0 || StunMessage.HeaderSize + length > StunMessage.MaxLength)
                {
                    return Invalid;
                }

                frame = StunMessage.HeaderSize + length;
                break;
            case 0x40:
                ushort channel = BinaryPrimitives.ReadUInt16BigEndian(buffered);
                if (channel > TurnChannelData.MaxChannel)
                {
                    return Invalid;
                }

                frame = (TurnChannelData.HeaderSize + length + 3) & ~3;
                break;
            default:
                return Invalid;
        }

        return buffered.Length >= frame ? frame : NeedMore;
    }
}

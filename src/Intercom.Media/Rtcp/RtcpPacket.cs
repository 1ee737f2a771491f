using System.Buffers.Binary;

namespace Intercom.Media.Rtcp;

/// <summary>
/// One RTCP packet inside a compound packet (RFC 3550 §6.4–§6.6), viewing the datagram without copying.
/// </summary>
public readonly ref struct RtcpPacket
{
    private readonly ReadOnlySpan<byte> _packet;

    internal RtcpPacket(ReadOnlySpan<byte> packet, int contentLength)
    {
        _packet = packet[..contentLength];
    }

    /// <summary>The PT field.</summary>
    public RtcpPacketType Type => (RtcpPacketType)_packet[1];

    /// <summary>The 5-bit count field: report blocks (SR/RR), chunks (SDES), sources (BYE).</summary>
    public int Count => _packet[0] & 0x1F;

    /// <summary>SSRC of the packet's sender (SR, RR) or of the first chunk/source (SDES, BYE); 0 if there is none.</summary>
    public uint Ssrc => _packet.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(_packet[4..]) : 0;

    /// <summary>The whole packet, padding removed.</summary>
    public ReadOnlySpan<byte> Bytes => _packet;

    /// <summary>Number of report blocks that fit in this SR or RR (never more than the packet holds).</summary>
    public int ReportBlockCount
    {
        get
        {
            int start = ReportBlocksOffset;
            return start < 0 ? 0 : Math.Min(Count, (_packet.Length - start) / RtcpReportBlock.Size);
        }
    }

    private int ReportBlocksOffset => Type switch
    {
        RtcpPacketType.SenderReport => 28,
        RtcpPacketType.ReceiverReport => 8,
        _ => -1,
    };

    /// <summary>Reads the sender info of an SR.</summary>
    public bool TryGetSenderInfo(out RtcpSenderInfo info)
    {
        if (Type != RtcpPacketType.SenderReport || _packet.Length < 28)
        {
            info = default;
            return false;
        }

        info = new RtcpSenderInfo(
            BinaryPrimitives.ReadUInt64BigEndian(_packet[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(_packet[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(_packet[20..]),
            BinaryPrimitives.ReadUInt32BigEndian(_packet[24..]));
        return true;
    }

    /// <summary>Returns report block <paramref name="index"/> (0 ≤ index &lt; <see cref="ReportBlockCount"/>).</summary>
    public RtcpReportBlock GetReportBlock(int index)
    {
        if ((uint)index >= (uint)ReportBlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return RtcpReportBlock.Read(_packet.Slice(ReportBlocksOffset + (index * RtcpReportBlock.Size), RtcpReportBlock.Size));
    }

    /// <summary>
    /// Finds an SDES item (§6.5) of <paramref name="itemType"/> (1 = CNAME) for <paramref name="ssrc"/>; false if the
    /// packet is not SDES, has no such item, or is malformed.
    /// </summary>
    public bool TryGetSourceDescriptionItem(uint ssrc, byte itemType, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (Type != RtcpPacketType.SourceDescription)
        {
            return false;
        }

        int offset = 4;
        for (int chunk = 0; chunk < Count; chunk++)
        {
            if (offset + 4 > _packet.Length)
            {
                return false;
            }

            uint chunkSsrc = BinaryPrimitives.ReadUInt32BigEndian(_packet[offset..]);
            offset += 4;
            while (true)
            {
                if (offset >= _packet.Length)
                {
                    return false;
                }

                byte type = _packet[offset];
                if (type == 0)
                {
                    // END item; the chunk is null-padded to the next 32-bit boundary.
                    offset = (offset + 4) & ~3;
                    break;
                }

                if (offset + 2 > _packet.Length || offset + 2 + _packet[offset + 1] > _packet.Length)
                {
                    return false;
                }

                int length = _packet[offset + 1];
                if (chunkSsrc == ssrc && type == itemType)
                {
                    value = _packet.Slice(offset + 2, length);
                    return true;
                }

                offset += 2 + length;
            }
        }

        return false;
    }

    /// <summary>
    /// Number of SSRCs a BYE lists that fit in the packet (never more than it holds): the source count is the sender's
    /// claim, and a short packet must not make a reader walk past its end (found by fuzzing).
    /// </summary>
    public int GoodbyeSourceCount => Type == RtcpPacketType.Goodbye ? Math.Min(Count, (_packet.Length - 4) / 4) : 0;

    /// <summary>Returns source <paramref name="index"/> of a BYE (0 ≤ index &lt; <see cref="GoodbyeSourceCount"/>).</summary>
    public uint GetGoodbyeSource(int index)
    {
        int offset = 4 + (4 * index);
        if (Type != RtcpPacketType.Goodbye || index < 0 || index >= Count || offset + 4 > _packet.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return BinaryPrimitives.ReadUInt32BigEndian(_packet[offset..]);
    }

    /// <summary>The optional "reason for leaving" of a BYE (§6.6); empty if absent or malformed.</summary>
    public ReadOnlySpan<byte> GoodbyeReason
    {
        get
        {
            int offset = 4 + (4 * Count);
            if (Type != RtcpPacketType.Goodbye || offset >= _packet.Length)
            {
                return default;
            }

            int length = _packet[offset];
            return offset + 1 + length <= _packet.Length ? _packet.Slice(offset + 1, length) : default;
        }
    }
}

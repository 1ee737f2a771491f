using System.Buffers.Binary;

namespace Intercom.Media.Rtcp;

/// <summary>
/// Writes the RTCP packets an endpoint sends (RFC 3550 §6.4–§6.6). Each method returns the bytes written, or 0 if the
/// destination is too small or the arguments cannot be represented; packets can be written back to back to form a
/// compound packet (§6.1: SR or RR first, then SDES with CNAME, BYE last).
/// </summary>
public static class RtcpWriter
{
    /// <summary>SDES item type of the canonical name (§6.5.1).</summary>
    public const byte CnameItem = 1;

    /// <summary>Writes an SR with up to 31 report blocks.</summary>
    public static int WriteSenderReport(Span<byte> destination, uint ssrc, in RtcpSenderInfo info, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        int length = 28 + (blocks.Length * RtcpReportBlock.Size);
        if (blocks.Length > 31 || destination.Length < length)
        {
            return 0;
        }

        WriteHeader(destination, blocks.Length, RtcpPacketType.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], info.NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], info.OctetCount);
        WriteBlocks(destination[28..], blocks);
        return length;
    }

    /// <summary>Writes an RR with up to 31 report blocks (zero blocks is the empty RR of §6.4.2).</summary>
    public static int WriteReceiverReport(Span<byte> destination, uint ssrc, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        int length = 8 + (blocks.Length * RtcpReportBlock.Size);
        if (blocks.Length > 31 || destination.Length < length)
        {
            return 0;
        }

        WriteHeader(destination, blocks.Length, RtcpPacketType.ReceiverReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        WriteBlocks(destination[8..], blocks);
        return length;
    }

    /// <summary>Writes an SDES with one chunk carrying the CNAME item (§6.5.1), at most 255 bytes of UTF-8.</summary>
    public static int WriteSourceDescription(Span<byte> destination, uint ssrc, ReadOnlySpan<byte> cname)
    {
        if (cname.Length > 255)
        {
            return 0;
        }

        // Chunk: SSRC, item (type, length, text), then at least one null octet up to the 32-bit boundary.
        int chunk = (4 + 2 + cname.Length + 4) & ~3;
        int length = 4 + chunk;
        if (destination.Length < length)
        {
            return 0;
        }

        destination[..length].Clear();
        WriteHeader(destination, 1, RtcpPacketType.SourceDescription, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        destination[8] = CnameItem;
        destination[9] = (byte)cname.Length;
        cname.CopyTo(destination[10..]);
        return length;
    }

    /// <summary>Writes a BYE for <paramref name="ssrc"/> with an optional reason (§6.6).</summary>
    public static int WriteGoodbye(Span<byte> destination, uint ssrc, ReadOnlySpan<byte> reason)
    {
        if (reason.Length > 255)
        {
            return 0;
        }

        int length = 8 + (reason.IsEmpty ? 0 : (1 + reason.Length + 3) & ~3);
        if (destination.Length < length)
        {
            return 0;
        }

        destination[..length].Clear();
        WriteHeader(destination, 1, RtcpPacketType.Goodbye, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        if (!reason.IsEmpty)
        {
            destination[8] = (byte)reason.Length;
            reason.CopyTo(destination[9..]);
        }

        return length;
    }

    private static void WriteHeader(Span<byte> destination, int count, RtcpPacketType type, int length)
    {
        destination[0] = (byte)(0x80 | count);
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((length / 4) - 1));
    }

    private static void WriteBlocks(Span<byte> destination, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].Write(destination[(i * RtcpReportBlock.Size)..]);
        }
    }
}

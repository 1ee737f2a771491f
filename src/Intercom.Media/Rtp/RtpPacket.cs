using System.Buffers.Binary;

namespace Intercom.Media.Rtp;

/// <summary>
/// A parsed RTP packet (RFC 3550 §5.1) viewing the received datagram: no copy, no allocation.
/// </summary>
public readonly ref struct RtpPacket
{
    private readonly ReadOnlySpan<byte> _csrcs;

    private RtpPacket(RtpHeader header, bool padding, ReadOnlySpan<byte> csrcs, bool hasExtension, ushort extensionProfile,
        ReadOnlySpan<byte> extension, ReadOnlySpan<byte> payload, int paddingLength)
    {
        Header = header;
        HasPadding = padding;
        _csrcs = csrcs;
        HasExtension = hasExtension;
        ExtensionProfile = extensionProfile;
        Extension = extension;
        Payload = payload;
        PaddingLength = paddingLength;
    }

    /// <summary>Marker, payload type, sequence number, timestamp and SSRC.</summary>
    public RtpHeader Header { get; }

    /// <summary>P bit.</summary>
    public bool HasPadding { get; }

    /// <summary>Number of bytes of padding removed from the end (0 without the P bit).</summary>
    public int PaddingLength { get; }

    /// <summary>X bit.</summary>
    public bool HasExtension { get; }

    /// <summary>The "defined by profile" 16 bits of the header extension (RFC 3550 §5.3.1).</summary>
    public ushort ExtensionProfile { get; }

    /// <summary>The header extension data (without its 4-byte preamble).</summary>
    public ReadOnlySpan<byte> Extension { get; }

    /// <summary>The payload, padding removed.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Number of contributing sources.</summary>
    public int CsrcCount => _csrcs.Length / 4;

    /// <summary>Returns the CSRC at <paramref name="index"/>.</summary>
    public uint GetCsrc(int index) => BinaryPrimitives.ReadUInt32BigEndian(_csrcs.Slice(4 * index, 4));

    /// <summary>True if the first byte and the payload-type octet look like RTCP rather than RTP (RFC 5761 §4 demultiplexing).</summary>
    public static bool LooksLikeRtcp(ReadOnlySpan<byte> datagram) => datagram.Length >= 2 && datagram[1] >= 192 && datagram[1] <= 223;

    /// <summary>Parses <paramref name="datagram"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out RtpPacket packet, out RtpParseError error)
    {
        packet = default;
        if (datagram.Length < RtpHeader.FixedSize)
        {
            error = RtpParseError.TooShort;
            return false;
        }

        byte first = datagram[0];
        if ((first >> 6) != 2)
        {
            error = RtpParseError.BadVersion;
            return false;
        }

        byte payloadType = (byte)(datagram[1] & 0x7F);
        if (payloadType is >= 72 and <= 76)
        {
            error = RtpParseError.RtcpPayloadType;
            return false;
        }

        int csrcCount = first & 0x0F;
        int offset = RtpHeader.FixedSize + (4 * csrcCount);
        if (datagram.Length < offset)
        {
            error = RtpParseError.TruncatedHeader;
            return false;
        }

        ReadOnlySpan<byte> csrcs = datagram[RtpHeader.FixedSize..offset];
        bool hasExtension = (first & 0x10) != 0;
        ushort profile = 0;
        ReadOnlySpan<byte> extension = default;
        if (hasExtension)
        {
            if (datagram.Length < offset + 4)
            {
                error = RtpParseError.TruncatedHeader;
                return false;
            }

            profile = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int extensionLength = 4 * BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            offset += 4;
            if (datagram.Length < offset + extensionLength)
            {
                error = RtpParseError.TruncatedHeader;
                return false;
            }

            extension = datagram.Slice(offset, extensionLength);
            offset += extensionLength;
        }

        int end = datagram.Length;
        bool padding = (first & 0x20) != 0;
        int paddingLength = 0;
        if (padding)
        {
            // RFC 3550 §5.1: the last octet counts the padding octets, itself included, so it is at least 1.
            paddingLength = datagram[^1];
            if (paddingLength == 0 || paddingLength > end - offset)
            {
                error = RtpParseError.BadPadding;
                return false;
            }

            end -= paddingLength;
        }

        var header = new RtpHeader(
            payloadType,
            BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]),
            (datagram[1] & 0x80) != 0);
        packet = new RtpPacket(header, padding, csrcs, hasExtension, profile, extension, datagram[offset..end], paddingLength);
        error = RtpParseError.None;
        return true;
    }
}

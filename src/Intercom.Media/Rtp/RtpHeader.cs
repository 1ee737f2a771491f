using System.Buffers.Binary;

namespace Intercom.Media.Rtp;

/// <summary>The fixed RTP header fields of RFC 3550 §5.1 that a sender sets per packet.</summary>
public readonly record struct RtpHeader(byte PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc, bool Marker = false)
{
    /// <summary>Size of the fixed header without CSRCs or extension.</summary>
    public const int FixedSize = 12;

    /// <summary>
    /// Writes the fixed header and <paramref name="payload"/> into <paramref name="destination"/> (no CSRC, no extension,
    /// no padding: what a media endpoint sends). Returns the packet length, or 0 if the destination is too small.
    /// </summary>
    public int Write(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        int length = FixedSize + payload.Length;
        if (destination.Length < length)
        {
            return 0;
        }

        WriteFixed(destination, padding: false, extension: false, csrcCount: 0);
        payload.CopyTo(destination[FixedSize..]);
        return length;
    }

    /// <summary>
    /// Writes a full packet (RFC 3550 §5.1, §5.3.1): CSRC list, optional header extension (its data must be a multiple of
    /// 4 bytes) and <paramref name="paddingLength"/> bytes of padding whose last byte counts them. Returns 0 if it does not fit
    /// or the arguments cannot be represented.
    /// </summary>
    public int Write(
        ReadOnlySpan<uint> csrcs,
        ushort extensionProfile,
        ReadOnlySpan<byte> extension,
        bool hasExtension,
        ReadOnlySpan<byte> payload,
        int paddingLength,
        Span<byte> destination)
    {
        if (csrcs.Length > 15 || (extension.Length & 3) != 0 || extension.Length > 4 * ushort.MaxValue
            || paddingLength < 0 || paddingLength > 255)
        {
            return 0;
        }

        int headerLength = FixedSize + (4 * csrcs.Length) + (hasExtension ? 4 + extension.Length : 0);
        int length = headerLength + payload.Length + paddingLength;
        if (destination.Length < length)
        {
            return 0;
        }

        WriteFixed(destination, paddingLength > 0, hasExtension, csrcs.Length);
        int offset = FixedSize;
        foreach (uint csrc in csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], csrc);
            offset += 4;
        }

        if (hasExtension)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], extensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)(extension.Length / 4));
            extension.CopyTo(destination[(offset + 4)..]);
            offset += 4 + extension.Length;
        }

        payload.CopyTo(destination[offset..]);
        offset += payload.Length;
        if (paddingLength > 0)
        {
            destination.Slice(offset, paddingLength - 1).Clear();
            destination[offset + paddingLength - 1] = (byte)paddingLength;
        }

        return length;
    }

    private void WriteFixed(Span<byte> destination, bool padding, bool extension, int csrcCount)
    {
        destination[0] = (byte)(0x80 | (padding ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcCount);
        destination[1] = (byte)((Marker ? 0x80 : 0) | (PayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Ssrc);
    }
}

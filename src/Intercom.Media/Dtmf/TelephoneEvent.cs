using System.Buffers.Binary;

namespace Intercom.Media.Dtmf;

/// <summary>The 4-byte RFC 4733 §2.3 event payload: event code, end bit, volume (0 to -63 dBm0) and duration in timestamp units.</summary>
public readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    /// <summary>Size of the payload.</summary>
    public const int Size = 4;

    /// <summary>Reads the first event block; redundant blocks of RFC 2198 are not used. False if shorter than 4 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out TelephoneEvent value)
    {
        if (payload.Length < Size)
        {
            value = default;
            return false;
        }

        value = new TelephoneEvent(payload[0], (payload[1] & 0x80) != 0, (byte)(payload[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    /// <summary>Writes the payload (the R bit is always zero, §2.3.3).</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
    }
}

namespace Intercom.Media.Rtcp;

/// <summary>The sender information section of an SR (RFC 3550 §6.4.1).</summary>
/// <param name="NtpTimestamp">Wallclock time, 64-bit NTP format (§4).</param>
/// <param name="RtpTimestamp">The same instant in the RTP timestamp clock of the source.</param>
/// <param name="PacketCount">RTP data packets sent since the start.</param>
/// <param name="OctetCount">Payload octets sent since the start.</param>
public readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount)
{
    private const long NtpEpochOffsetSeconds = 2_208_988_800;

    /// <summary>The middle 32 bits of the NTP timestamp, as echoed in LSR (§6.4.1).</summary>
    public uint CompactNtp => (uint)(NtpTimestamp >> 16);

    /// <summary>The middle 32 bits of the NTP form of <paramref name="time"/> (the unit of LSR and of RTT arithmetic).</summary>
    public static uint CompactNtpOf(DateTimeOffset time) => (uint)(ToNtp(time) >> 16);

    /// <summary>Converts a wallclock instant to the 64-bit NTP format (seconds since 1900 . fraction).</summary>
    public static ulong ToNtp(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        ulong seconds = (ulong)((ticks / TimeSpan.TicksPerSecond) + NtpEpochOffsetSeconds);
        ulong fraction = (ulong)(((UInt128)(ulong)(ticks % TimeSpan.TicksPerSecond) << 32) / TimeSpan.TicksPerSecond);
        return (seconds << 32) | fraction;
    }
}

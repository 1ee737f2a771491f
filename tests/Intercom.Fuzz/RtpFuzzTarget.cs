using Intercom.Media.Rtcp;
using Intercom.Media.Rtp;

namespace Intercom.Fuzz;

/// <summary>
/// Fuzz target "rtp": what the RTP socket does with a datagram — demultiplexed as RTCP (RFC 5761 §4) and walked packet by
/// packet through every accessor, or parsed as RTP with every field read. Any exception escaping is a finding.
/// </summary>
internal static class RtpFuzzTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        if (RtpPacket.LooksLikeRtcp(data))
        {
            WalkRtcp(data);
            return;
        }

        if (!RtpPacket.TryParse(data, out RtpPacket packet, out _))
        {
            return;
        }

        long sum = packet.Header.SequenceNumber + packet.Header.Timestamp + packet.Header.Ssrc + packet.PaddingLength
            + packet.ExtensionProfile + packet.Extension.Length + packet.Payload.Length;
        for (int i = 0; i < packet.CsrcCount; i++)
        {
            sum += packet.GetCsrc(i);
        }

        GC.KeepAlive(sum);
    }

    internal static void WalkRtcp(ReadOnlySpan<byte> data)
    {
        if (!RtcpCompoundPacket.TryParse(data, out RtcpCompoundPacket compound))
        {
            return;
        }

        long sum = 0;
        foreach (RtcpPacket packet in compound)
        {
            sum += packet.Ssrc + packet.Count + packet.Bytes.Length;
            switch (packet.Type)
            {
                case RtcpPacketType.SenderReport or RtcpPacketType.ReceiverReport:
                    if (packet.TryGetSenderInfo(out RtcpSenderInfo info))
                    {
                        sum += info.PacketCount;
                    }

                    for (int i = 0; i < packet.ReportBlockCount; i++)
                    {
                        sum += packet.GetReportBlock(i).Ssrc;
                    }

                    break;
                case RtcpPacketType.SourceDescription:
                    if (packet.TryGetSourceDescriptionItem(packet.Ssrc, 1, out ReadOnlySpan<byte> cname))
                    {
                        sum += cname.Length;
                    }

                    break;
                case RtcpPacketType.Goodbye:
                    for (int i = 0; i < packet.GoodbyeSourceCount; i++)
                    {
                        sum += packet.GetGoodbyeSource(i);
                    }

                    sum += packet.GoodbyeReason.Length;
                    break;
            }
        }

        GC.KeepAlive(sum);
    }
}

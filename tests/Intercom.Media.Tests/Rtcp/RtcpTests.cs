using Intercom.Media.Rtcp;

namespace Intercom.Media.Tests.Rtcp;

public sealed class RtcpTests
{
    [Fact]
    public void Compound_sr_sdes_bye_round_trips()
    {
        var buffer = new byte[512];
        var info = new RtcpSenderInfo(0xE5E5E5E5_12345678, 16000, 100, 16000);
        RtcpReportBlock[] blocks =
        [
            new(0xCAFEBABE, 25, 12, 0x0001_0010, 37, 0x5678E5E5, 65536),
            new(0x0BADF00D, 0, -3, 99, 0, 0, 0),
        ];
        int length = RtcpWriter.WriteSenderReport(buffer, 0x11111111, info, blocks);
        Assert.Equal(28 + 48, length);
        length += RtcpWriter.WriteSourceDescription(buffer.AsSpan(length), 0x11111111, "door@intercom"u8);
        length += RtcpWriter.WriteGoodbye(buffer.AsSpan(length), 0x11111111, "hangup"u8);

        Assert.True(RtcpCompoundPacket.TryParse(buffer.AsSpan(0, length), out RtcpCompoundPacket compound));
        int seen = 0;
        foreach (RtcpPacket packet in compound)
        {
            switch (seen++)
            {
                case 0:
                    Assert.Equal(RtcpPacketType.SenderReport, packet.Type);
                    Assert.Equal(0x11111111u, packet.Ssrc);
                    Assert.True(packet.TryGetSenderInfo(out RtcpSenderInfo readInfo));
                    Assert.Equal(info, readInfo);
                    Assert.Equal(2, packet.ReportBlockCount);
                    Assert.Equal(blocks[0], packet.GetReportBlock(0));
                    Assert.Equal(blocks[1], packet.GetReportBlock(1));
                    break;
                case 1:
                    Assert.Equal(RtcpPacketType.SourceDescription, packet.Type);
                    Assert.True(packet.TryGetSourceDescriptionItem(0x11111111, RtcpWriter.CnameItem, out ReadOnlySpan<byte> cname));
                    Assert.Equal("door@intercom", System.Text.Encoding.UTF8.GetString(cname));
                    Assert.False(packet.TryGetSourceDescriptionItem(0x22222222, RtcpWriter.CnameItem, out _));
                    break;
                default:
                    Assert.Equal(RtcpPacketType.Goodbye, packet.Type);
                    Assert.Equal(0x11111111u, packet.GetGoodbyeSource(0));
                    Assert.Equal("hangup", System.Text.Encoding.UTF8.GetString(packet.GoodbyeReason));
                    break;
            }
        }

        Assert.Equal(3, seen);
    }

    [Fact]
    public void A_bye_claiming_more_sources_than_it_holds_lists_only_those_it_holds()
    {
        // Found by the "rtp" fuzz target: RR, then a BYE whose count says 2 SSRCs in a packet with room for 1, then an
        // APP-range packet; a reader looping to Count walked past the BYE.
        byte[] datagram = Convert.FromBase64String("gMkAAQAAAJmCywABEAAA54DZAAGxAACZ");
        Assert.True(RtcpCompoundPacket.TryParse(datagram, out RtcpCompoundPacket compound));
        Assert.True(compound.MoveNext());
        Assert.True(compound.MoveNext());
        RtcpPacket bye = compound.Current;
        Assert.Equal(RtcpPacketType.Goodbye, bye.Type);
        Assert.Equal(2, bye.Count);
        Assert.Equal(1, bye.GoodbyeSourceCount);
        Assert.Equal(0x100000E7u, bye.GetGoodbyeSource(0));
        Assert.Equal(0, compound.Current.ReportBlockCount);
    }

    [Fact]
    public void Sdes_chunk_is_null_terminated_and_32_bit_aligned()
    {
        var buffer = new byte[64];
        // 4 (header) + 4 (SSRC) + 2 + 2 ("ab") = 12, plus a mandatory null octet → 16.
        Assert.Equal(16, RtcpWriter.WriteSourceDescription(buffer, 1, "ab"u8));
        Assert.Equal(0, buffer[12]);
        Assert.Equal(3, buffer[3]);
    }

    [Fact]
    public void Empty_receiver_report_is_valid()
    {
        var buffer = new byte[8];
        Assert.Equal(8, RtcpWriter.WriteReceiverReport(buffer, 7, default));
        Assert.True(RtcpCompoundPacket.TryParse(buffer, out RtcpCompoundPacket compound));
        Assert.True(compound.MoveNext());
        Assert.Equal(0, compound.Current.ReportBlockCount);
        Assert.False(compound.MoveNext());
    }

    [Fact]
    public void Invalid_compounds_are_rejected()
    {
        var buffer = new byte[256];
        int rr = RtcpWriter.WriteReceiverReport(buffer, 7, [new RtcpReportBlock(1, 0, 0, 0, 0, 0, 0)]);
        int total = rr + RtcpWriter.WriteGoodbye(buffer.AsSpan(rr), 7, default);

        // First packet must be SR or RR (A.2).
        Assert.False(RtcpCompoundPacket.TryParse(buffer.AsSpan(rr, total - rr), out _));
        // Lengths must add up to the datagram exactly.
        Assert.False(RtcpCompoundPacket.TryParse(buffer.AsSpan(0, total - 1), out _));
        Assert.False(RtcpCompoundPacket.TryParse(buffer.AsSpan(0, total + 4), out _));
        // Padding only on the last packet.
        byte[] padded = buffer[..total];
        padded[0] |= 0x20;
        Assert.False(RtcpCompoundPacket.TryParse(padded, out _));
        // Version 2 throughout.
        byte[] badVersion = buffer[..total];
        badVersion[rr] = 0x41;
        Assert.False(RtcpCompoundPacket.TryParse(badVersion, out _));
    }

    [Fact]
    public void Count_larger_than_the_packet_does_not_read_past_it()
    {
        var buffer = new byte[8];
        RtcpWriter.WriteReceiverReport(buffer, 7, default);
        buffer[0] = 0x80 | 5;
        Assert.True(RtcpCompoundPacket.TryParse(buffer, out RtcpCompoundPacket compound));
        Assert.True(compound.MoveNext());
        Assert.Equal(0, compound.Current.ReportBlockCount);
    }

    [Fact]
    public void Ntp_conversion_uses_the_1900_epoch_and_a_32_bit_fraction()
    {
        ulong ntp = RtcpSenderInfo.ToNtp(DateTimeOffset.UnixEpoch.AddSeconds(1.5));
        Assert.Equal(2_208_988_801UL, ntp >> 32);
        Assert.Equal(0x8000_0000UL, ntp & 0xFFFF_FFFF);
        Assert.Equal((uint)(ntp >> 16), new RtcpSenderInfo(ntp, 0, 0, 0).CompactNtp);
    }

    [Fact]
    public void Negative_cumulative_loss_keeps_its_sign_in_24_bits()
    {
        var bytes = new byte[RtcpReportBlock.Size];
        new RtcpReportBlock(1, 0, -2, 0, 0, 0, 0).Write(bytes);
        Assert.Equal(new byte[] { 0, 0xFF, 0xFF, 0xFE }, bytes[4..8]);
        Assert.Equal(-2, RtcpReportBlock.Read(bytes).CumulativeLost);
    }
}

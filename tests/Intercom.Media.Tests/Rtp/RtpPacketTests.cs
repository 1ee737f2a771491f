using Intercom.Media.Rtp;

namespace Intercom.Media.Tests.Rtp;

public sealed class RtpPacketTests
{
    // V=2, M=1, PT=0, seq=0x1234, ts=0xDEADBEEF, SSRC=0x01020304, payload "abc".
    private static readonly byte[] Minimal =
        [0x80, 0x80, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, (byte)'a', (byte)'b', (byte)'c'];

    [Fact]
    public void Parses_the_fixed_header_of_section_5_1()
    {
        Assert.True(RtpPacket.TryParse(Minimal, out RtpPacket packet, out RtpParseError error));
        Assert.Equal(RtpParseError.None, error);
        Assert.Equal(new RtpHeader(0, 0x1234, 0xDEADBEEF, 0x01020304, Marker: true), packet.Header);
        Assert.Equal("abc"u8.ToArray(), packet.Payload.ToArray());
        Assert.Equal(0, packet.CsrcCount);
        Assert.False(packet.HasExtension);
        Assert.False(packet.HasPadding);
    }

    [Fact]
    public void Writes_exactly_what_it_parses()
    {
        var buffer = new byte[64];
        int length = new RtpHeader(0, 0x1234, 0xDEADBEEF, 0x01020304, Marker: true).Write("abc"u8, buffer);
        Assert.Equal(Minimal, buffer[..length]);
    }

    [Fact]
    public void Csrc_list_extension_and_padding_round_trip()
    {
        var buffer = new byte[128];
        uint[] csrcs = [0xAAAAAAAA, 0xBBBBBBBB];
        byte[] extension = [1, 2, 3, 4, 5, 6, 7, 8];
        var header = new RtpHeader(111, 65535, 160, 42);
        int length = header.Write(csrcs, 0xBEDE, extension, hasExtension: true, "payload"u8, paddingLength: 5, buffer);
        Assert.Equal(12 + 8 + 4 + 8 + 7 + 5, length);
        Assert.Equal(5, buffer[length - 1]);

        Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, length), out RtpPacket packet, out _));
        Assert.Equal(header, packet.Header);
        Assert.Equal(2, packet.CsrcCount);
        Assert.Equal(0xBBBBBBBB, packet.GetCsrc(1));
        Assert.True(packet.HasExtension);
        Assert.Equal(0xBEDE, packet.ExtensionProfile);
        Assert.Equal(extension, packet.Extension.ToArray());
        Assert.True(packet.HasPadding);
        Assert.Equal(5, packet.PaddingLength);
        Assert.Equal("payload"u8.ToArray(), packet.Payload.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0 }, RtpParseError.TooShort)]
    [InlineData(new byte[] { 0x40, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, RtpParseError.BadVersion)]
    [InlineData(new byte[] { 0x81, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9, 9 }, RtpParseError.TruncatedHeader)]
    [InlineData(new byte[] { 0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2, 1, 2, 3, 4 }, RtpParseError.TruncatedHeader)]
    [InlineData(new byte[] { 0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE }, RtpParseError.TruncatedHeader)]
    [InlineData(new byte[] { 0xA0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 7, 0 }, RtpParseError.BadPadding)]
    [InlineData(new byte[] { 0xA0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 7, 3 }, RtpParseError.BadPadding)]
    [InlineData(new byte[] { 0x80, 0xC8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 7 }, RtpParseError.RtcpPayloadType)]
    public void Malformed_packets_are_rejected_with_the_reason(byte[] datagram, RtpParseError expected)
    {
        Assert.False(RtpPacket.TryParse(datagram, out _, out RtpParseError error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Every_truncation_and_bit_flip_is_handled_without_exception()
    {
        var buffer = new byte[128];
        int length = new RtpHeader(8, 7, 8, 9).Write([1u, 2u], 1, new byte[8], true, new byte[20], 4, buffer);
        int accepted = 0;
        for (int cut = 0; cut <= length; cut++)
        {
            if (RtpPacket.TryParse(buffer.AsSpan(0, cut), out RtpPacket p, out _))
            {
                accepted++;
                Assert.True(p.Payload.Length <= cut);
            }
        }

        // Only the full packet is valid: any shorter cut loses the padding count or the header.
        Assert.Equal(1, accepted);
        for (int bit = 0; bit < length * 8; bit++)
        {
            byte[] copy = buffer[..length];
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            if (RtpPacket.TryParse(copy, out RtpPacket p, out _))
            {
                Assert.True(12 + (4 * p.CsrcCount) + p.Extension.Length + p.Payload.Length + p.PaddingLength <= length);
            }
        }
    }

    [Fact]
    public void Rtcp_is_told_apart_by_its_packet_type_octet()
    {
        Assert.True(RtpPacket.LooksLikeRtcp([0x80, 200, 0, 6]));
        Assert.False(RtpPacket.LooksLikeRtcp(Minimal));
    }

    [Fact]
    public void Write_refuses_what_cannot_be_represented()
    {
        var header = new RtpHeader(0, 1, 2, 3);
        Assert.Equal(0, header.Write("abc"u8, new byte[14]));
        Assert.Equal(0, header.Write(new uint[16], 0, default, false, default, 0, new byte[256]));
        Assert.Equal(0, header.Write(default, 0, new byte[3], true, default, 0, new byte[256]));
        Assert.Equal(0, header.Write(default, 0, default, false, default, 256, new byte[512]));
    }
}

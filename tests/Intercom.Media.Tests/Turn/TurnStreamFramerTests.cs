using Intercom.Media.Nat;
using Intercom.Media.Turn;

namespace Intercom.Media.Tests.Turn;

/// <summary>Cutting a TCP/TLS stream from a TURN server into STUN and ChannelData messages (RFC 8656 §12.5).</summary>
public sealed class TurnStreamFramerTests
{
    [Fact]
    public void A_stun_message_ends_after_its_header_and_length()
    {
        var buffer = new byte[64];
        var writer = new StunMessageWriter(buffer, StunMethod.Refresh, StunMessageClass.SuccessResponse, StunTransactionId.New());
        writer.AddLifetime(600);
        int length = writer.Complete();

        Assert.Equal(length, TurnStreamFramer.FrameLength(buffer));
        Assert.Equal(TurnStreamFramer.NeedMore, TurnStreamFramer.FrameLength(buffer.AsSpan(0, length - 1)));
        Assert.Equal(TurnStreamFramer.NeedMore, TurnStreamFramer.FrameLength(buffer.AsSpan(0, 3)));
    }

    [Fact]
    public void Channel_data_on_a_stream_includes_its_padding()
    {
        var buffer = new byte[16];
        int length = TurnChannelData.Write(buffer, 0x4001, [1, 2, 3, 4, 5], pad: true);
        Assert.Equal(12, length); // 4 + 5, padded to 12

        Assert.Equal(12, TurnStreamFramer.FrameLength(buffer));
        Assert.Equal(TurnStreamFramer.NeedMore, TurnStreamFramer.FrameLength(buffer.AsSpan(0, 9)));
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0, 0, 0 })] // RTP-like: neither STUN nor ChannelData
    [InlineData(new byte[] { 0x50, 0, 0, 4 })] // a reserved channel number (0x5000)
    [InlineData(new byte[] { 0x01, 0x01, 0, 3 })] // a STUN length that is not a multiple of 4
    public void Anything_else_puts_the_stream_out_of_step(byte[] bytes) =>
        Assert.Equal(TurnStreamFramer.Invalid, TurnStreamFramer.FrameLength(bytes));
}

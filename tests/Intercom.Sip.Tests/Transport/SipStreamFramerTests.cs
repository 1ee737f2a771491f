using System.Text;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transport;

public class SipStreamFramerTests
{
    private const string Options =
        "OPTIONS sip:door@example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n" +
        "Content-Length: 4\r\n" +
        "\r\n" +
        "body";

    private const string NoBody =
        "OPTIONS sip:door@example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK776asdhdt\r\n" +
        "l: 0\r\n" +
        "\r\n";

    private static string Read(SipStreamFramer framer, out SipFrameKind kind)
    {
        kind = framer.TryReadFrame(out var message);
        return Encoding.ASCII.GetString(message);
    }

    [Fact]
    public void A_whole_message_is_one_frame_including_its_body()
    {
        var framer = new SipStreamFramer();
        Assert.True(framer.Write(Encoding.ASCII.GetBytes(Options)));
        Assert.Equal(Options, Read(framer, out var kind));
        Assert.Equal(SipFrameKind.Message, kind);
        Assert.Equal(SipFrameKind.NeedMoreData, framer.TryReadFrame(out _));
        Assert.Equal(0, framer.BufferedBytes);
    }

    [Fact]
    public void A_message_split_byte_by_byte_is_framed_only_when_complete()
    {
        var framer = new SipStreamFramer();
        var bytes = Encoding.ASCII.GetBytes(Options);
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            Assert.True(framer.Write(bytes.AsSpan(i, 1)));
            Assert.Equal(SipFrameKind.NeedMoreData, framer.TryReadFrame(out _));
        }

        Assert.True(framer.Write(bytes.AsSpan(bytes.Length - 1)));
        Assert.Equal(Options, Read(framer, out var kind));
        Assert.Equal(SipFrameKind.Message, kind);
    }

    [Fact]
    public void Two_messages_in_one_segment_are_two_frames()
    {
        var framer = new SipStreamFramer();
        Assert.True(framer.Write(Encoding.ASCII.GetBytes(Options + NoBody)));
        Assert.Equal(Options, Read(framer, out var first));
        Assert.Equal(NoBody, Read(framer, out var second));
        Assert.Equal(SipFrameKind.Message, first);
        Assert.Equal(SipFrameKind.Message, second);
        Assert.Equal(SipFrameKind.NeedMoreData, framer.TryReadFrame(out _));
    }

    [Fact]
    public void Compact_content_length_and_lowercase_names_are_understood()
    {
        var framer = new SipStreamFramer();
        var text = NoBody.Replace("l: 0", "content-LENGTH :  3", StringComparison.Ordinal) + "abcNEXT";
        Assert.True(framer.Write(Encoding.ASCII.GetBytes(text)));
        Assert.EndsWith("\r\n\r\nabc", Read(framer, out var kind), StringComparison.Ordinal);
        Assert.Equal(SipFrameKind.Message, kind);
        Assert.Equal(4, framer.BufferedBytes);
    }

    [Fact]
    public void CRLFCRLF_between_messages_is_a_keepalive_ping_and_a_lone_CRLF_a_pong()
    {
        var framer = new SipStreamFramer();
        Assert.True(framer.Write("\r\n\r\n"u8));
        Assert.Equal(SipFrameKind.KeepAlivePing, framer.TryReadFrame(out _));
        Assert.True(framer.Write(Encoding.ASCII.GetBytes("\r\n" + NoBody)));
        Assert.Equal(SipFrameKind.KeepAlivePong, framer.TryReadFrame(out _));
        Assert.Equal(NoBody, Read(framer, out var kind));
        Assert.Equal(SipFrameKind.Message, kind);
    }

    [Fact]
    public void A_ping_split_across_reads_is_still_a_ping()
    {
        var framer = new SipStreamFramer();
        Assert.True(framer.Write("\r\n"u8));
        Assert.Equal(SipFrameKind.KeepAlivePong, framer.TryReadFrame(out _));
        Assert.True(framer.Write("\r\n"u8));
        Assert.Equal(SipFrameKind.KeepAlivePing, framer.TryReadFrame(out _));
        Assert.Equal(SipFrameKind.NeedMoreData, framer.TryReadFrame(out _));
    }

    [Fact]
    public void A_ping_split_across_reads_is_still_a_ping_when_the_reader_drains_between_reads()
    {
        // What a connection does: take frames until NeedMoreData after every read. The first half must stay pending.
        var framer = new SipStreamFramer();
        Assert.True(framer.Write("\r\n\r\n\r\n"u8));
        Assert.Equal(SipFrameKind.KeepAlivePing, framer.TryReadFrame(out _));
        Assert.Equal(SipFrameKind.KeepAlivePong, framer.TryReadFrame(out _));
        Assert.Equal(SipFrameKind.NeedMoreData, framer.TryReadFrame(out _));
        Assert.True(framer.Write("\r\n\r\n\r\n"u8));
        Assert.Equal(SipFrameKind.KeepAlivePing, framer.TryReadFrame(out _));
        Assert.Equal(SipFrameKind.KeepAlivePing, framer.TryReadFrame(out _));
        Assert.Equal(SipFrameKind.NeedMoreData, framer.TryReadFrame(out _));
    }

    [Fact]
    public void A_new_framer_holds_a_small_buffer_not_the_largest_message()
    {
        var framer = new SipStreamFramer(maxHeaderBytes: 16 * 1024, maxBodyBytes: 48 * 1024);
        Assert.Equal(SipStreamFramer.InitialBufferBytes, framer.Capacity);
        Assert.True(framer.Capacity < 64 * 1024 / 8);
    }

    [Fact]
    public void The_buffer_grows_for_a_large_message_read_in_pieces_and_shrinks_back_once_it_is_taken()
    {
        var framer = new SipStreamFramer(maxHeaderBytes: 16 * 1024, maxBodyBytes: 48 * 1024);
        var body = new string('b', 40_000);
        var bytes = Encoding.ASCII.GetBytes(NoBody.Replace("l: 0", "l: " + body.Length, StringComparison.Ordinal) + body);
        var offset = 0;
        var kind = SipFrameKind.NeedMoreData;
        ReadOnlySpan<byte> message = default;
        while (offset < bytes.Length)
        {
            // As a socket read would: as much as fits in what the framer offers.
            var memory = framer.GetWriteMemory();
            Assert.False(memory.IsEmpty);
            var count = Math.Min(memory.Length, bytes.Length - offset);
            bytes.AsSpan(offset, count).CopyTo(memory.Span);
            framer.Advance(count);
            offset += count;
            kind = framer.TryReadFrame(out message);
            Assert.InRange(framer.Capacity, SipStreamFramer.InitialBufferBytes, 64 * 1024);
        }

        Assert.Equal(SipFrameKind.Message, kind);
        Assert.Equal(bytes.Length, message.Length);
        Assert.True(framer.Capacity >= bytes.Length);
        Assert.Equal(SipFrameKind.NeedMoreData, framer.TryReadFrame(out _));
        framer.GetWriteMemory();
        Assert.Equal(SipStreamFramer.InitialBufferBytes, framer.Capacity);
    }

    [Fact]
    public void The_buffer_never_grows_past_the_limits_a_header_block_without_end_is_malformed_first()
    {
        var framer = new SipStreamFramer(maxHeaderBytes: 16 * 1024, maxBodyBytes: 48 * 1024);
        var junk = Encoding.ASCII.GetBytes("INVITE sip:x SIP/2.0\r\n" + new string('a', 100_000));
        var offset = 0;
        var kind = SipFrameKind.NeedMoreData;
        while (kind == SipFrameKind.NeedMoreData && offset < junk.Length)
        {
            var memory = framer.GetWriteMemory();
            var count = Math.Min(memory.Length, junk.Length - offset);
            junk.AsSpan(offset, count).CopyTo(memory.Span);
            framer.Advance(count);
            offset += count;
            kind = framer.TryReadFrame(out _);
        }

        Assert.Equal(SipFrameKind.Malformed, kind);
        Assert.InRange(framer.Capacity, 1, 64 * 1024);
    }

    [Fact]
    public void A_lone_CR_waits_for_its_LF()
    {
        var framer = new SipStreamFramer();
        Assert.True(framer.Write("\r"u8));
        Assert.Equal(SipFrameKind.NeedMoreData, framer.TryReadFrame(out _));
        Assert.True(framer.Write("\n\r\n"u8));
        Assert.Equal(SipFrameKind.KeepAlivePing, framer.TryReadFrame(out _));
    }

    [Fact]
    public void Headers_larger_than_the_limit_are_malformed()
    {
        var framer = new SipStreamFramer(maxHeaderBytes: 256, maxBodyBytes: 0);
        var huge = "OPTIONS sip:a@b SIP/2.0\r\nX-Filler: " + new string('x', 300);
        Assert.True(framer.Write(Encoding.ASCII.GetBytes(huge[..256])));
        Assert.Equal(SipFrameKind.Malformed, framer.TryReadFrame(out _));
    }

    [Fact]
    public void A_body_larger_than_the_limit_is_malformed()
    {
        var framer = new SipStreamFramer(maxHeaderBytes: 1024, maxBodyBytes: 10);
        Assert.True(framer.Write(Encoding.ASCII.GetBytes(NoBody.Replace("l: 0", "l: 11", StringComparison.Ordinal))));
        Assert.Equal(SipFrameKind.Malformed, framer.TryReadFrame(out _));
    }

    [Theory]
    [InlineData("l: 12x")]
    [InlineData("l: -1")]
    [InlineData("l: ")]
    [InlineData("l: 99999999999")]
    public void A_bad_content_length_is_malformed(string header)
    {
        var framer = new SipStreamFramer();
        Assert.True(framer.Write(Encoding.ASCII.GetBytes(NoBody.Replace("l: 0", header, StringComparison.Ordinal))));
        Assert.Equal(SipFrameKind.Malformed, framer.TryReadFrame(out _));
    }

    [Fact]
    public void Two_different_content_lengths_are_malformed_but_equal_repeats_are_tolerated()
    {
        Assert.False(SipStreamFramer.TryGetContentLength("X sip:a SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n"u8, out _));
        Assert.True(SipStreamFramer.TryGetContentLength("X sip:a SIP/2.0\r\nl: 2\r\nContent-Length: 2\r\n"u8, out var length));
        Assert.Equal(2, length);
    }

    [Fact]
    public void Missing_content_length_means_no_body()
    {
        Assert.True(SipStreamFramer.TryGetContentLength("SIP/2.0 200 OK\r\nVia: x\r\n"u8, out var length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void A_full_buffer_accepts_no_more_bytes()
    {
        var framer = new SipStreamFramer(maxHeaderBytes: 64, maxBodyBytes: 0);
        Assert.False(framer.Write(new byte[65]));
    }
}

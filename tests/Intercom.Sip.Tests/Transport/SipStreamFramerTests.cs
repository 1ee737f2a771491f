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

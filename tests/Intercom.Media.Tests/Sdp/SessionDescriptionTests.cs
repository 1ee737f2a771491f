using Intercom.Media.Sdp;

namespace Intercom.Media.Tests.Sdp;

public sealed class SessionDescriptionTests
{
    [Fact]
    public void Parses_the_rfc_8866_example()
    {
        // RFC 8866 §5 example, with LF line ends (accepted liberally).
        const string text = "v=0\n" +
            "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\n" +
            "s=Call to John Smith\n" +
            "i=SDP Offer #1\n" +
            "u=http://www.jdoe.example.com/home.html\n" +
            "e=Jane Doe <jane@jdoe.example.com>\n" +
            "p=+1 617 555-6011\n" +
            "c=IN IP4 198.51.100.1\n" +
            "t=0 0\n" +
            "m=audio 49170 RTP/AVP 0\n" +
            "m=audio 49180 RTP/AVP 0\n" +
            "m=video 51372 RTP/AVP 99\n" +
            "c=IN IP6 2001:db8::2\n" +
            "a=rtpmap:99 h263-1998/90000\n";
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? sdp, out string? error), error);
        Assert.Equal(new SdpOrigin("jdoe", 3724394400, 3724394405, "IP4", "198.51.100.1"), sdp.Origin);
        Assert.Equal("Call to John Smith", sdp.SessionName);
        Assert.Equal(new SdpConnection("IP4", "198.51.100.1"), sdp.Connection);
        Assert.Equal(3, sdp.Media.Count);
        Assert.Equal(49180, sdp.Media[1].Port);
        Assert.Equal(new SdpConnection("IP6", "2001:db8::2"), sdp.Media[2].Connection);
        Assert.Equal(new MediaFormat(99, "h263-1998", 90000), sdp.Media[2].GetFormat(99));
        Assert.Equal(MediaFormat.Pcmu, sdp.Media[0].GetFormat(0));
    }

    [Fact]
    public void Writes_crlf_in_grammar_order_and_round_trips()
    {
        var sdp = new SessionDescription(new SdpOrigin("-", 1, 2, "IP4", "192.0.2.1"))
        {
            Connection = new SdpConnection("IP4", "192.0.2.1"),
        };
        var audio = new MediaDescription("audio", 4000, "RTP/AVP");
        audio.Formats.Add("0");
        audio.Attributes.Add(new SdpAttribute("rtpmap", "0 PCMU/8000"));
        audio.Attributes.Add(new SdpAttribute("sendrecv"));
        sdp.Media.Add(audio);
        string text = sdp.ToString();
        Assert.Equal(
            "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n",
            text);
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? again, out _));
        Assert.Equal(text, again.ToString());
        Assert.Equal(MediaDirection.SendReceive, again.Media[0].Direction);
    }

    [Theory]
    [InlineData("", "empty body")]
    [InlineData("o=- 1 1 IN IP4 1.2.3.4\r\n", "the first line must be v=0")]
    [InlineData("v=1\r\n", "the first line must be v=0")]
    [InlineData("v=0\r\ns=x\r\n", "no o= line")]
    [InlineData("v=0\r\no=- x 1 IN IP4 1.2.3.4\r\n", "line 2: bad o= line")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n", "line 3: bad m= line")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 7000\r\n", "line 3: bad m= line")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IPX 1.2.3.4\r\n", "line 3: bad c= line")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ngarbage\r\n", "line 3: not of the form <type>=<value>")]
    public void Malformed_descriptions_are_rejected_with_a_reason(string text, string expected)
    {
        Assert.False(SessionDescription.TryParse(text, out _, out string? error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Oversized_bodies_are_refused()
    {
        string text = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n" + new string('a', SessionDescription.MaxLength);
        Assert.False(SessionDescription.TryParse(text, out _, out string? error));
        Assert.Equal("body too large", error);
    }

    [Fact]
    public void Rtpmap_with_channels_and_fmtp_are_read()
    {
        const string text = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 109\r\n" +
            "a=rtpmap:109 opus/48000/2\r\na=fmtp:109 minptime=10;useinbandfec=1\r\na=ptime:40\r\n";
        Assert.True(SessionDescription.TryParse(text, out SessionDescription? sdp, out _));
        Assert.Equal(new MediaFormat(109, "opus", 48000, 2, "minptime=10;useinbandfec=1"), sdp.Media[0].GetFormat(109));
        Assert.Equal(40, sdp.Media[0].PacketTime);
        Assert.Null(sdp.Media[0].GetFormat(110));
    }
}

using System.Buffers;
using System.Text;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

public class SipResponseFactoryTests
{
    private const string Request =
        "INVITE sip:door@192.0.2.10 SIP/2.0\r\n" +
        "v: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK-p1, SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bK-ua;received=192.0.2.21;rport=5099\r\n" +
        "Via: SIP/2.0/TCP edge.example.com;branch=z9hG4bK-e\r\n" +
        "f: \"Resident\" <sip:resident@example.com>;tag=f1\r\n" +
        "t: <sip:door@example.com>\r\n" +
        "i: call-1@192.0.2.20\r\n" +
        "CSeq: 7 INVITE\r\n" +
        "Timestamp: 54\r\n" +
        "Max-Forwards: 69\r\n" +
        "l: 0\r\n\r\n";

    private static SipRequest Parse() => Assert.IsType<SipRequest>(SipMessageParserTests.Parse(Request));

    [Fact]
    public void Response_copies_via_from_to_callid_cseq_and_adds_to_tag()
    {
        SipResponse response = SipResponse.CreateFor(Parse(), 180, toTag: "door-7");
        Assert.Equal("Ringing", response.ReasonPhrase);
        Assert.Equal(["z9hG4bK-p1", "z9hG4bK-ua", "z9hG4bK-e"], response.Vias.Select(v => v.Branch));
        Assert.Equal(5099, response.Vias[1].Rport);
        Assert.Equal("f1", response.From!.Tag);
        Assert.Equal("door-7", response.To!.Tag);
        Assert.Equal("call-1@192.0.2.20", response.CallId);
        Assert.Equal(new SipCSeq(7, SipMethods.Invite), response.CSeq);
        Assert.False(response.Headers.Contains(SipHeaderNames.Timestamp));
        Assert.False(response.Headers.Contains(SipHeaderNames.MaxForwards));
    }

    [Fact]
    public void Trying_gets_no_tag_but_keeps_the_timestamp()
    {
        SipResponse trying = SipResponseFactory.Create(Parse(), 100, toTag: "ignored");
        Assert.Null(trying.To!.Tag);
        Assert.Equal("54", trying.Headers.Get(SipHeaderNames.Timestamp));
    }

    [Fact]
    public void Existing_to_tag_is_kept()
    {
        SipRequest request = Parse();
        request.Headers.Set("To", "<sip:door@example.com>;tag=dialog");
        Assert.Equal("dialog", SipResponseFactory.Create(request, 200, toTag: "other").To!.Tag);
    }

    [Fact]
    public void Writer_is_strict_and_the_same_through_both_outputs()
    {
        SipResponse response = SipResponse.CreateFor(Parse(), 200, "OK", "t9");
        response.Headers.Add("Content-Type", "application/sdp");
        response.Headers.Add("l", "999");
        response.Body = Encoding.ASCII.GetBytes("v=0\r\n");
        byte[] bytes = SipMessageWriter.ToBytes(response);
        var buffer = new ArrayBufferWriter<byte>(16);
        int written = SipMessageWriter.Write(response, buffer);
        Assert.Equal(bytes.Length, written);
        Assert.Equal(bytes, buffer.WrittenSpan.ToArray());
        string text = Encoding.UTF8.GetString(bytes);
        Assert.StartsWith("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK-p1, SIP/2.0/UDP 192.0.2.20:5062", text, StringComparison.Ordinal);
        Assert.Contains("\r\nFrom: \"Resident\" <sip:resident@example.com>;tag=f1\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nCall-ID: call-1@192.0.2.20\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("999", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_error_without_required_headers_cannot_be_answered()
    {
        Assert.False(SipMessageParser.TryParse("OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n"u8, out _, out SipParseError error));
        Assert.False(error.CanRespond);
        Assert.Null(SipResponseFactory.CreateForParseError(error));
        Assert.Null(SipResponseFactory.CreateForParseError(SipParseError.None));
    }

    [Fact]
    public void Ack_is_never_answered()
    {
        string ack = Request.Replace("INVITE sip", "ACK sip", StringComparison.Ordinal).Replace("CSeq: 7 INVITE", "CSeq: 7 BYE", StringComparison.Ordinal);
        Assert.False(SipMessageParser.TryParse(Encoding.ASCII.GetBytes(ack), out _, out SipParseError error));
        Assert.Equal("CSeq: method BYE does not match request method ACK", error.Reason);
        Assert.False(error.CanRespond);
    }
}

using System.Text;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

public class SipMessageParserTests
{
    internal const string Invite =
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.example.com>\r\n" +
        "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 4\r\n" +
        "\r\n" +
        "v=0\n";

    internal static SipMessage Parse(string text)
    {
        bool ok = SipMessageParser.TryParse(Encoding.UTF8.GetBytes(text), out SipMessage? message, out SipParseError error);
        Assert.True(ok, error.Reason);
        Assert.NotNull(message);
        return message;
    }

    internal static SipParseError Reject(string text)
    {
        bool ok = SipMessageParser.TryParse(Encoding.UTF8.GetBytes(text), out SipMessage? message, out SipParseError error);
        Assert.False(ok);
        Assert.Null(message);
        Assert.True(error.IsError);
        return error;
    }

    [Fact]
    public void Parses_a_basic_INVITE_with_typed_headers()
    {
        var request = Assert.IsType<SipRequest>(Parse(Invite));
        Assert.Equal(SipMethods.Invite, request.Method);
        Assert.Equal("bob", request.RequestUri.User);
        Assert.Equal("biloxi.example.com", request.RequestUri.Host);
        Assert.Equal("z9hG4bK776asdhds", request.TopVia!.Branch);
        Assert.True(request.TopVia.IsRfc3261Branch);
        Assert.True(request.TopVia.HasRport);
        Assert.Null(request.TopVia.Rport);
        Assert.Equal("UDP", request.TopVia.Transport);
        Assert.Equal(70, request.MaxForwards);
        Assert.Equal("Bob", request.To!.DisplayName);
        Assert.Null(request.To.Tag);
        Assert.Equal("Alice", request.From!.DisplayName);
        Assert.Equal("1928301774", request.From.Tag);
        Assert.Equal("a84b4c76e66710@pc33.atlanta.example.com", request.CallId);
        Assert.Equal(new SipCSeq(314159, "INVITE"), request.CSeq);
        Assert.Equal("pc33.atlanta.example.com", Assert.Single(request.Contacts).Uri.Host);
        Assert.Equal("application/sdp", request.ContentType);
        Assert.Equal("v=0\n", Encoding.ASCII.GetString(request.Body.Span));
    }

    [Fact]
    public void Written_message_parses_back_to_the_same_fields()
    {
        SipMessage first = Parse(Invite);
        byte[] bytes = SipMessageWriter.ToBytes(first);
        var second = Assert.IsType<SipRequest>(Parse(Encoding.UTF8.GetString(bytes)));
        Assert.Equal(((SipRequest)first).RequestUri, second.RequestUri);
        Assert.Equal(first.CSeq, second.CSeq);
        Assert.Equal(first.Body.ToArray(), second.Body.ToArray());
        Assert.Equal(first.Headers.Count, second.Headers.Count);
    }

    [Fact]
    public void CSeq_method_mismatch_is_reported_precisely_and_answerable()
    {
        SipParseError error = Reject(Invite.Replace("CSeq: 314159 INVITE", "CSeq: 314159 OPTIONS", StringComparison.Ordinal));
        Assert.Equal("CSeq: method OPTIONS does not match request method INVITE", error.Reason);
        Assert.True(error.CanRespond);
        SipResponse response = SipResponseFactory.CreateForParseError(error, toTag: "x1")!;
        Assert.Equal(400, response.StatusCode);
        Assert.Equal("x1", response.To!.Tag);
        Assert.Equal("z9hG4bK776asdhds", response.TopVia!.Branch);
    }

    [Fact]
    public void Unquoted_utf8_display_name_is_tolerated_and_written_quoted()
    {
        SipMessage message = Parse(Invite.Replace("To: Bob <sip:", "To: Türöffner  Haus <sip:", StringComparison.Ordinal));
        Assert.Equal("Türöffner Haus", message.To!.DisplayName);
        Assert.Equal("\"Türöffner Haus\" <sip:bob@biloxi.example.com>", message.To.ToString());
        Assert.Equal("To: character ',' not allowed in an unquoted display name",
            Reject(Invite.Replace("To: Bob <sip:", "To: Bob, Jr <sip:", StringComparison.Ordinal)).Reason);
    }

    [Fact]
    public void Display_names_with_controls_are_written_as_quoted_pairs()
    {
        var address = new SipNameAddress(SipUri.Parse("sip:a@example.com"), "BEL\a NUL\0 \"q\" \\ CR\rLF\n");
        string text = address.ToString();
        Assert.Equal("\"BEL\\\a NUL\\\0 \\\"q\\\" \\\\ CR LF \" <sip:a@example.com>", text);
        SipMessage message = Parse(Invite.Replace("To: Bob <sip:bob@biloxi.example.com>", "To: " + text, StringComparison.Ordinal));
        Assert.Equal("BEL\a NUL\0 \"q\" \\ CR LF ", message.To!.DisplayName);
    }
}

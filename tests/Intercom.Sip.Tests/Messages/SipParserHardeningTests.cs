using System.Diagnostics;
using System.Text;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

/// <summary>Hostile input: sizes and counts are bounded and the work stays linear.</summary>
public class SipParserHardeningTests
{
    private static readonly string Head = SipMessageParserTests.Invite[..SipMessageParserTests.Invite.IndexOf("Content-Type", StringComparison.Ordinal)];

    private static (bool Ok, SipParseError Error, TimeSpan Elapsed) Time(byte[] data)
    {
        // Warm up first, so that the bound measures the parser's work and not the JIT.
        SipMessageParser.TryParse(Encoding.ASCII.GetBytes(SipMessageParserTests.Invite), out _, out _);
        var clock = Stopwatch.StartNew();
        bool ok = SipMessageParser.TryParse(data, out _, out SipParseError error);
        return (ok, error, clock.Elapsed);
    }

    [Fact]
    public void Oversized_message_is_refused_before_reading()
    {
        byte[] data = new byte[65_536];
        (bool ok, SipParseError error, _) = Time(data);
        Assert.False(ok);
        Assert.Equal("message of 65536 bytes exceeds the limit of 65535 bytes", error.Reason);
        Assert.Equal(513, error.StatusCode);
    }

    [Fact]
    public void Thousands_of_commas_in_a_list_header_are_linear_and_bounded()
    {
        string via = "SIP/2.0/UDP a.example.com;branch=z9hG4bK1" + new string(',', 15_000);
        (bool ok, SipParseError error, TimeSpan elapsed) = Time(Encoding.ASCII.GetBytes(Head + "Via: " + via + "\r\n\r\n"));
        Assert.False(ok);
        Assert.Equal("Via: empty value between commas", error.Reason);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), elapsed.ToString());

        string manyContacts = string.Join(",", Enumerable.Repeat("<sip:a@b>", 300));
        (ok, error, _) = Time(Encoding.ASCII.GetBytes(Head + "Contact: " + manyContacts + "\r\n\r\n"));
        Assert.False(ok);
        Assert.Equal("Contact: more than 256 values", error.Reason);
    }

    [Fact]
    public void Quotes_and_brackets_that_never_close_do_not_go_quadratic()
    {
        string value = string.Concat(Enumerable.Repeat("\"<,", 5_000));
        (_, _, TimeSpan elapsed) = Time(Encoding.ASCII.GetBytes(Head + "Route: " + value + "\r\n\r\n"));
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), elapsed.ToString());
    }

    [Fact]
    public void Values_full_of_tabs_and_escaped_controls_stay_linear()
    {
        string tabs = "X-Tabs: a" + new string('\t', 16_000) + "b\u007F";
        (bool ok, SipParseError error, TimeSpan elapsed) = Time(Encoding.ASCII.GetBytes(Head + tabs + "\r\n\r\n"));
        Assert.False(ok);
        Assert.Equal("X-Tabs: value contains control character 0x7F", error.Reason);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), elapsed.ToString());

        SipMessage escaped = SipMessageParserTests.Parse(Head + "X-Quoted: \"\\\u0001\\\u007F\"\r\n\r\n");
        Assert.Equal("\"\\\u0001\\\u007F\"", escaped.Headers.Get("X-Quoted"));
    }

    [Fact]
    public void Huge_folded_header_is_refused_by_length()
    {
        string folded = "X-Fold: a" + string.Concat(Enumerable.Repeat("\r\n b", 10_000));
        (bool ok, SipParseError error, TimeSpan elapsed) = Time(Encoding.ASCII.GetBytes(Head + folded + "\r\n\r\n"));
        Assert.False(ok);
        Assert.Equal("header field longer than 16384 bytes", error.Reason);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(500), elapsed.ToString());
    }

    [Fact]
    public void Many_folds_within_the_limit_unfold_to_single_spaces()
    {
        string folded = "X-Fold: a" + string.Concat(Enumerable.Repeat(" \r\n\t b", 1_000));
        var request = SipMessageParserTests.Parse(Head + folded + "\r\n\r\n");
        Assert.Equal("a" + string.Concat(Enumerable.Repeat(" b", 1_000)), request.Headers.Get("X-Fold"));
    }

    [Fact]
    public void Header_count_is_bounded()
    {
        string many = string.Concat(Enumerable.Repeat("X-A: 1\r\n", 300));
        (bool ok, SipParseError error, _) = Time(Encoding.ASCII.GetBytes(Head + many + "\r\n"));
        Assert.False(ok);
        Assert.Equal("more than 256 header fields", error.Reason);
    }

    [Theory]
    [InlineData("\r\n\r\n", "empty message")]
    [InlineData("INVITE sip:a@b SIP/2.0", "start line not terminated by CRLF")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP a", "headers not terminated by an empty line")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\n folded\r\n\r\n", "folded line before the first header")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nNoColon\r\n\r\n", "header line without ':' (\"NoColon\")")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n", "invalid header name \"Bad Name\"")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nX-A: a\u0001b\r\n\r\n", "X-A: value contains control character 0x01")]
    [InlineData("INVITE sip:a@b HTTP/1.1\r\n\r\n", "request line: malformed SIP version \"HTTP/1.1\"")]
    [InlineData("SIP/2.0 099 Low\r\n\r\n", "status line: status code 99 is outside 100-699")]
    [InlineData("SIP/2.0 999 High\r\n\r\n", "status line: status code 999 is outside 100-699")]
    [InlineData("SIP/2.0 2000 OK\r\n\r\n", "status line: status code \"2000\" is not three digits")]
    [InlineData("SIP/3.0 200 OK\r\n\r\n", "status line: unsupported version SIP/3.0")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nMax-Forwards: 256\r\n\r\n", "Max-Forwards: 256 is larger than 255")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nMax-Forwards: ten\r\n\r\n", "Max-Forwards: \"ten\" is not a number")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nCall-ID: a@b@c\r\n\r\n", "Call-ID: expected word[@word]")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nCall-ID: a b\r\n\r\n", "Call-ID: character ' ' not allowed")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nCSeq: INVITE\r\n\r\n", "CSeq: no sequence number")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP\r\n\r\n", "Via: expected whitespace after sent-protocol")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;ttl=300\r\n\r\n", "Via: ttl must be 0-255")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;received=host.example.com\r\n\r\n", "Via: received must be an IP address")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\nabc", "Content-Length: 5 is larger than the 3 bytes of body received")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nDate: Sat, 13 Nov 2010 23:29:00 UT\r\n\r\n", "Date: time zone \"UT\" is not GMT")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nDate: yesterday\r\n\r\n", "Date: not an RFC 1123 date")]
    public void Malformed_messages_get_precise_reasons(string text, string reason)
    {
        Assert.False(SipMessageParser.TryParse(Encoding.UTF8.GetBytes(text), out SipMessage? message, out SipParseError error));
        Assert.Null(message);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Gmt_date_is_accepted()
    {
        SipMessage message = SipMessageParserTests.Parse(Head + "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n\r\n");
        Assert.Equal("Sat, 13 Nov 2010 23:29:00 GMT", message.Headers.Get(SipHeaderNames.Date));
    }

    [Fact]
    public void Invalid_utf8_is_refused_and_valid_utf8_kept()
    {
        byte[] bad = [.. Encoding.ASCII.GetBytes(Head + "Subject: "), 0xC3, 0x28, .. "\r\n\r\n"u8];
        Assert.False(SipMessageParser.TryParse(bad, out _, out SipParseError error));
        Assert.Equal("Subject: value is not valid UTF-8", error.Reason);
        SipMessage ok = SipMessageParserTests.Parse(Head + "Subject: Türöffner\r\n\r\n");
        Assert.Equal("Türöffner", ok.Headers.Get("s"));
    }

    [Fact]
    public void Leading_crlf_and_lf_only_lines_are_accepted()
    {
        SipMessage message = SipMessageParserTests.Parse("\r\n\r\n" + SipMessageParserTests.Invite.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal("a84b4c76e66710@pc33.atlanta.example.com", message.CallId);
        Assert.Equal(4, message.Body.Length);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(4475);
        byte[] seed = Encoding.ASCII.GetBytes(SipMessageParserTests.Invite);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] data = (byte[])seed.Clone();
            int flips = random.Next(1, 8);
            for (int f = 0; f < flips; f++)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            bool ok = SipMessageParser.TryParse(data, out SipMessage? message, out SipParseError error);
            Assert.Equal(ok, message is not null);
            Assert.Equal(!ok, error.IsError);
        }
    }
}

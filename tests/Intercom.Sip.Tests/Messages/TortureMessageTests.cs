using System.Diagnostics;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

/// <summary>
/// RFC 4475 (and RFC 5118 for IPv6) torture messages, byte-exact from the RFCs' archives. The manifest below was
/// written from what each section of the RFC says about its message: valid ones must parse (key fields checked),
/// invalid ones must be refused with the precise reason, and semantically wrong ones (RFC 4475 §3.2, §3.3) must
/// parse and be answered by <see cref="SipRequestValidator"/> with the status the RFC names.
/// </summary>
public class TortureMessageTests
{
    /// <summary>One message: RFC section, and null reason for a message that must parse, else the exact parse error.</summary>
    public sealed record Case(string File, string Section, string? Reason, int Status = 400);

    public static readonly Case[] Manifest =
    [
        // RFC 4475 §3.1.1: valid messages.
        new("rfc4475/wsinv.dat", "4475 §3.1.1.1 short tortuous INVITE", null),
        new("rfc4475/intmeth.dat", "4475 §3.1.1.2 wide range of valid characters", null),
        new("rfc4475/esc01.dat", "4475 §3.1.1.3 valid % escaping", null),
        new("rfc4475/escnull.dat", "4475 §3.1.1.4 escaped nulls in URIs", null),
        new("rfc4475/esc02.dat", "4475 §3.1.1.5 % that is not an escape", null),
        new("rfc4475/lwsdisp.dat", "4475 §3.1.1.6 no LWS between display name and <", null),
        new("rfc4475/longreq.dat", "4475 §3.1.1.7 long values in header fields", null),
        new("rfc4475/dblreq.dat", "4475 §3.1.1.8 extra trailing octets in a UDP datagram", null),
        new("rfc4475/semiuri.dat", "4475 §3.1.1.9 semicolon-separated parameters in URI user part", null),
        new("rfc4475/transports.dat", "4475 §3.1.1.10 varied and unknown transport types", null),
        new("rfc4475/mpart01.dat", "4475 §3.1.1.11 multipart MIME message", null),
        new("rfc4475/unreason.dat", "4475 §3.1.1.12 unusual reason phrase", null),
        new("rfc4475/noreason.dat", "4475 §3.1.1.13 empty reason phrase", null),

        // RFC 4475 §3.1.2: invalid messages.
        new("rfc4475/badinv01.dat", "4475 §3.1.2.1 extraneous header field separators", "Via: empty value between commas"),
        new("rfc4475/clerr.dat", "4475 §3.1.2.2 Content-Length larger than message", "Content-Length: 9999 is larger than the 154 bytes of body received"),
        new("rfc4475/ncl.dat", "4475 §3.1.2.3 negative Content-Length", "Content-Length: \"-999\" is not a non-negative integer"),
        new("rfc4475/scalar02.dat", "4475 §3.1.2.4 request scalar fields with overlarge values", "CSeq: sequence number larger than 2**32-1"),
        new("rfc4475/scalarlg.dat", "4475 §3.1.2.5 response scalar fields with overlarge values", "CSeq: sequence number larger than 2**32-1"),
        new("rfc4475/quotbal.dat", "4475 §3.1.2.6 unterminated quoted string in display name", "To: unterminated quoted display name"),
        new("rfc4475/ltgtruri.dat", "4475 §3.1.2.7 <> enclosing Request-URI", "Request-URI must not be enclosed in <>"),
        new("rfc4475/lwsruri.dat", "4475 §3.1.2.8 malformed Request-URI (embedded LWS)", "Request-URI contains whitespace"),
        new("rfc4475/lwsstart.dat", "4475 §3.1.2.9 multiple SP separating request-line elements", "request line: more than one SP between elements"),
        new("rfc4475/trws.dat", "4475 §3.1.2.10 SP characters at end of request-line", "request line: whitespace after the SIP version"),
        new("rfc4475/escruri.dat", "4475 §3.1.2.11 escaped headers in SIP Request-URI", "Request-URI must not contain headers"),
        new("rfc4475/baddate.dat", "4475 §3.1.2.12 invalid time zone in Date", "Date: time zone \"EST\" is not GMT"),
        new("rfc4475/regbadct.dat", "4475 §3.1.2.13 name-addr URI not enclosed in <>", "Contact: a URI with headers or commas must be enclosed in <>"),
        new("rfc4475/badaspec.dat", "4475 §3.1.2.14 spaces within addr-spec", "To: whitespace inside the URI \" sip:t.watson@example.org \""),
        new("rfc4475/baddn.dat", "4475 §3.1.2.15 non-token characters in display name", "From: character ',' not allowed in an unquoted display name"),
        new("rfc4475/badvers.dat", "4475 §3.1.2.16 unknown protocol version", "unsupported SIP version SIP/7.0", 505),
        new("rfc4475/mismatch01.dat", "4475 §3.1.2.17 start line and CSeq method mismatch", "CSeq: method INVITE does not match request method OPTIONS"),
        new("rfc4475/mismatch02.dat", "4475 §3.1.2.18 unknown method with CSeq method mismatch", "CSeq: method INVITE does not match request method NEWMETHOD", 501),
        new("rfc4475/bigcode.dat", "4475 §3.1.2.19 overlarge response code", "status line: status code \"4294967301\" is not three digits"),

        // RFC 4475 §3.2–§3.4: syntactically valid; the validator decides (see SemanticCases).
        new("rfc4475/badbranch.dat", "4475 §3.2.1 missing transaction identifier", null),
        new("rfc4475/insuf.dat", "4475 §3.3.1 missing required header fields", null),
        new("rfc4475/unkscm.dat", "4475 §3.3.2 Request-URI with unknown scheme", null),
        new("rfc4475/novelsc.dat", "4475 §3.3.3 Request-URI with known but atypical scheme", null),
        new("rfc4475/unksm2.dat", "4475 §3.3.4 unknown URI schemes in header fields", null),
        new("rfc4475/bext01.dat", "4475 §3.3.5 Proxy-Require and Require", null),
        new("rfc4475/invut.dat", "4475 §3.3.6 unknown Content-Type", null),
        new("rfc4475/regaut01.dat", "4475 §3.3.7 unknown authorization scheme", null),
        new("rfc4475/multi01.dat", "4475 §3.3.8 multiple values in single-value fields", null),
        new("rfc4475/mcl01.dat", "4475 §3.3.9 multiple Content-Length values", null),
        new("rfc4475/bcast.dat", "4475 §3.3.10 200 OK with broadcast Via", null),
        new("rfc4475/zeromf.dat", "4475 §3.3.11 Max-Forwards of zero", null),
        new("rfc4475/cparam01.dat", "4475 §3.3.12 REGISTER with a contact header parameter", null),
        new("rfc4475/cparam02.dat", "4475 §3.3.13 REGISTER with a url-parameter", null),
        new("rfc4475/regescrt.dat", "4475 §3.3.14 REGISTER with a URL escaped header", null),
        new("rfc4475/sdp01.dat", "4475 §3.3.15 unacceptable Accept offering", null),
        new("rfc4475/inv2543.dat", "4475 §3.4.1 INVITE with RFC 2543 syntax", null),

        // In the corpus but not in RFC 4475: a request line without a version and a header line without a colon.
        new("rfc4475/test.dat", "corpus extra (not in RFC 4475)", "request line: expected \"Method SP Request-URI SP SIP-Version\""),

        // RFC 5118 (IPv6), CRLF versions.
        new("rfc4475/ipv6-good.dat", "5118 §4.1 valid IPv6 reference", null),
        new("rfc4475/ipv6-bad.dat", "5118 §4.2 invalid IPv6 reference (no brackets)", "Request-URI: IPv6 address must be enclosed in [] (RFC 5118 §4.2)"),
        new("rfc4475/port-ambiguous.dat", "5118 §4.3 port ambiguous", null),
        new("rfc4475/port-unambiguous.dat", "5118 §4.4 port unambiguous", null),
        new("rfc4475/via-received-param-no-delim.dat", "5118 §4.5 received without delimiters", null),
        new("rfc4475/via-received-param-with-delim.dat", "5118 §4.5 received with delimiters", null),
        // RFC 5118's own message declares Content-Length 268 but carries 251 octets; over a datagram RFC 3261 §18.3 says reject.
        new("rfc4475/ipv6-in-sdp.dat", "5118 §4.6 IPv6 in SDP", "Content-Length: 268 is larger than the 251 bytes of body received"),
        new("rfc4475/mult-ip-in-header.dat", "5118 §4.7 multiple IP addresses in headers", null),
        new("rfc4475/mult-ip-in-sdp.dat", "5118 §4.8 multiple IP addresses in SDP", null),
        new("rfc4475/ipv4-mapped-ipv6.dat", "5118 §4.9 IPv4-mapped IPv6", null),
        new("rfc4475/ipv6-bug-abnf-3-colons.dat", "5118 §4.10 three colons (RFC 3261 ABNF bug, tolerated)", null),
        new("rfc4475/ipv6-correct-abnf-2-colons.dat", "5118 §4.10 two colons", null),

        // RFC 5118 appendix archive: the same messages with bare LF line ends (accepted, liberal). Where the LF
        // conversion shortened an SDP body below its Content-Length, the framing error is what must be reported.
        new("rfc5118/ipv6-good", "5118 §4.1 (LF archive)", null),
        new("rfc5118/ipv6-bad", "5118 §4.2 (LF archive)", "Request-URI: IPv6 address must be enclosed in [] (RFC 5118 §4.2)"),
        new("rfc5118/port-ambiguous", "5118 §4.3 (LF archive)", null),
        new("rfc5118/port-unambiguous", "5118 §4.4 (LF archive)", null),
        new("rfc5118/via-received-param-no-delim", "5118 §4.5 (LF archive)", null),
        new("rfc5118/via-received-param-with-delim", "5118 §4.5 (LF archive)", null),
        new("rfc5118/ipv6-in-sdp", "5118 §4.6 (LF archive)", "Content-Length: 268 is larger than the 242 bytes of body received"),
        new("rfc5118/mult-ip-in-header", "5118 §4.7 (LF archive)", null),
        new("rfc5118/mult-ip-in-sdp", "5118 §4.8 (LF archive)", "Content-Length: 181 is larger than the 180 bytes of body received"),
        new("rfc5118/ipv4-mapped-ipv6", "5118 §4.9 (LF archive)", null),
        new("rfc5118/ipv6-bug-abnf-3-colons", "5118 §4.10 (LF archive)", null),
        new("rfc5118/ipv6-correct-abnf-2-colons", "5118 §4.10 (LF archive)", null),
    ];

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (Case c in Manifest)
        {
            data.Add(c.File);
        }

        return data;
    }

    internal static byte[] Load(string file) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", file));

    [Fact]
    public void Manifest_covers_every_torture_file()
    {
        string root = Path.Combine(AppContext.BaseDirectory, "Data");
        var onDisk = Directory.GetFiles(Path.Combine(root, "rfc4475")).Concat(Directory.GetFiles(Path.Combine(root, "rfc5118")))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(74, onDisk.Length);
        Assert.Equal(onDisk, Manifest.Select(c => c.File).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Torture_message_is_parsed_or_rejected_as_the_RFC_says(string file)
    {
        Case expected = Manifest.Single(c => c.File == file);
        byte[] data = Load(file);
        var clock = Stopwatch.StartNew();
        bool ok = SipMessageParser.TryParse(data, out SipMessage? message, out SipParseError error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), "parsing took too long");
        if (expected.Reason is null)
        {
            Assert.True(ok, $"{expected.Section}: {error.Reason}");
            Assert.NotNull(message);
            Assert.False(error.IsError);

            // Whatever parses must survive the writer and parse again to the same start line and header count.
            byte[] written = SipMessageWriter.ToBytes(message);
            Assert.True(SipMessageParser.TryParse(written, out SipMessage? again, out SipParseError againError), againError.Reason);
            Assert.Equal(message.ToString(), again.ToString());
            Assert.Equal(message.Body.ToArray(), again.Body.ToArray());
        }
        else
        {
            Assert.False(ok, expected.Section + " must be rejected");
            Assert.Null(message);
            Assert.Equal(expected.Reason, error.Reason);
            Assert.Equal(expected.Status, error.StatusCode);
        }
    }
}

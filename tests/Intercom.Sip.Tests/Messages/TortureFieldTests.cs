using System.Text;
using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

/// <summary>Key fields of the valid RFC 4475 / RFC 5118 messages, as the RFC text explains them.</summary>
public class TortureFieldTests
{
    private static SipRequest Request(string file) => Assert.IsType<SipRequest>(Message(file));

    private static SipMessage Message(string file)
    {
        Assert.True(SipMessageParser.TryParse(TortureMessageTests.Load(file), out SipMessage? message, out SipParseError error), error.Reason);
        return message;
    }

    [Fact]
    public void Wsinv_folding_whitespace_and_compact_forms()
    {
        SipRequest r = Request("rfc4475/wsinv.dat");
        Assert.Equal("1918181833n", r.To!.Tag);
        Assert.Equal("chair-dnrc.example.com", r.To.Uri.Host);
        Assert.Equal("J Rosenberg \\\"", r.From!.DisplayName);
        Assert.Equal("98asjd8", r.From.Tag);
        Assert.Equal(68, r.MaxForwards);
        Assert.Equal(new SipCSeq(9, "INVITE"), r.CSeq);
        Assert.Equal(["UDP", "TCP", "UDP"], r.Vias.Select(v => v.Transport));
        Assert.Equal(["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"], r.Vias.Select(v => v.Branch));
        Assert.Equal("192.168.255.111", r.Vias[2].Host);
        Assert.False(r.TopVia!.IsRfc3261Branch);
        SipNameAddress contact = Assert.Single(r.Contacts);
        Assert.Equal("Quoted string \"\"", contact.DisplayName);
        Assert.Equal("newvalue", contact.Parameters.Get("newparam"));
        Assert.True(contact.Parameters.Contains("secondparam"));
        Assert.Equal("0.33", contact.Parameters.Get("q"));
        Assert.True(Assert.Single(r.Routes).Uri.IsLooseRouter);
        Assert.Equal("newfangled value continued newfangled value", r.Headers.Get("NewFangledHeader"));
        Assert.Equal(";;,,;;,;", r.Headers.Get("UnknownHeaderWithUnusualValue"));
        Assert.Equal(string.Empty, r.Headers.Get(SipHeaderNames.Subject));
        Assert.Equal(150, r.Body.Length);
    }

    [Fact]
    public void Intmeth_unusual_method_uri_and_quoted_controls()
    {
        SipRequest r = Request("rfc4475/intmeth.dat");
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", r.Method);
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", r.RequestUri.User);
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", r.RequestUri.Password);
        Assert.Equal("BEL:\a NUL:\0 DEL:\x7F", r.To!.DisplayName);
        Assert.Equal("token1~` token2'+_ token3*%!.-", r.From!.DisplayName);
        Assert.Equal(139122385u, r.CSeq!.Value.Number);
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", r.CallId);
        Assert.Equal("\uFEFF\u5927\u505C\u96FB", r.Headers.Get("extensionHeader-!.%*+_`'~"));
    }

    [Fact]
    public void Esc01_escapes_are_decoded_and_compare_equal()
    {
        SipRequest r = Request("rfc4475/esc01.dat");
        Assert.Equal("sips:user@example.com", r.RequestUri.User);
        Assert.Equal("user", r.To!.Uri.User);
        Assert.Equal("I have spaces", r.From!.Uri.User);
        SipUri contact = Assert.Single(r.Contacts).Uri;
        Assert.Equal("caller", contact.User);
        Assert.True(contact.IsLooseRouter);
        Assert.Equal("value%41", contact.Parameters.Get("name"));
        Assert.Equal(SipUri.Parse("sip:caller@host5.example.net;lr;name=value%2541"), contact);
        Assert.Equal("esc01.239409asdfakjkn23onasd0-3234", r.CallId);
    }

    [Fact]
    public void Escnull_keeps_escaped_nulls()
    {
        SipRequest r = Request("rfc4475/escnull.dat");
        Assert.Equal("null-\0-null", r.To!.Uri.User);
        Assert.Equal(["\0", "\0\0"], r.Contacts.Select(c => c.Uri.User));
    }

    [Fact]
    public void Esc02_percent_in_tokens_is_literal()
    {
        SipRequest r = Request("rfc4475/esc02.dat");
        Assert.Equal("RE%47IST%45R", r.Method);
        Assert.Equal("%Z%45", r.To!.DisplayName);
        Assert.Equal(2, r.Contacts.Count);
        Assert.Equal("<sip:alias2@host2.example.com>", r.Headers.Get("C%6Fntact"));
        Assert.Equal("z9hG4bK209%fzsnel234", r.TopVia!.Branch);
    }

    [Fact]
    public void Lwsdisp_display_name_without_space()
    {
        SipRequest r = Request("rfc4475/lwsdisp.dat");
        Assert.Equal("caller", r.From!.DisplayName);
        Assert.Equal("323", r.From.Tag);
    }

    [Fact]
    public void Longreq_long_values_and_many_vias()
    {
        SipRequest r = Request("rfc4475/longreq.dat");
        Assert.StartsWith("I have a user name of extremeextreme", r.To!.DisplayName, StringComparison.Ordinal);
        Assert.Equal(6000, r.To.Uri.Port);
        Assert.StartsWith("longreq.onereallyreally", r.CallId, StringComparison.Ordinal);
        Assert.Equal(34, r.Vias.Count);
        Assert.Equal("sip33.example.com", r.TopVia!.Host);
        Assert.Null(r.TopVia.Branch);
    }

    [Fact]
    public void Dblreq_trailing_request_is_ignored()
    {
        SipRequest r = Request("rfc4475/dblreq.dat");
        Assert.Equal(SipMethods.Register, r.Method);
        Assert.Equal("dblreq.0ha0isndaksdj99sdfafnl3lk233412", r.CallId);
        Assert.True(r.Body.IsEmpty);
    }

    [Fact]
    public void Semiuri_user_part_with_semicolons_and_folded_accept_list()
    {
        SipRequest r = Request("rfc4475/semiuri.dat");
        Assert.Equal("user;par=u@example.net", r.RequestUri.User);
        Assert.Equal("example.com", r.RequestUri.Host);
        Assert.Empty(r.RequestUri.Parameters);
        Assert.Equal(6, r.Headers.GetAll(SipHeaderNames.Accept).Count);
        Assert.Equal("message/sipfrag", r.Headers.GetAll(SipHeaderNames.Accept)[5]);
    }

    [Fact]
    public void Transports_unknown_transport_kept()
    {
        SipRequest r = Request("rfc4475/transports.dat");
        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], r.Vias.Select(v => v.Transport));
        Assert.Equal("transports.kijh4akdnaqjkwendsasfdj", r.CallId);
    }

    [Fact]
    public void Mpart01_multipart_body_is_kept_whole()
    {
        SipRequest r = Request("rfc4475/mpart01.dat");
        Assert.StartsWith("multipart/mixed", r.ContentType, StringComparison.Ordinal);
        Assert.Equal(r.ContentLength, r.Body.Length);
    }

    [Fact]
    public void Unreason_and_noreason_reason_phrases()
    {
        var unusual = Assert.IsType<SipResponse>(Message("rfc4475/unreason.dat"));
        Assert.Equal(200, unusual.StatusCode);
        Assert.Equal("= 2**3 * 5**2 но сто девяносто девять - простое", unusual.ReasonPhrase);
        var empty = Assert.IsType<SipResponse>(Message("rfc4475/noreason.dat"));
        Assert.Equal(100, empty.StatusCode);
        Assert.Equal(string.Empty, empty.ReasonPhrase);
    }

    [Fact]
    public void Bcast_second_via_is_the_broadcast_address()
    {
        var r = Assert.IsType<SipResponse>(Message("rfc4475/bcast.dat"));
        Assert.Equal("255.255.255.255", r.Vias[1].Host);
    }

    [Fact]
    public void Cparam_contact_parameter_versus_uri_parameter()
    {
        SipNameAddress headerParam = Assert.Single(Request("rfc4475/cparam01.dat").Contacts);
        Assert.True(headerParam.Parameters.Contains("unknownparam"));
        Assert.Empty(headerParam.Uri.Parameters);
        SipNameAddress uriParam = Assert.Single(Request("rfc4475/cparam02.dat").Contacts);
        Assert.True(uriParam.Uri.Parameters.Contains("unknownparam"));
        Assert.Empty(uriParam.Parameters);
    }

    [Fact]
    public void Regescrt_contact_keeps_escaped_route_header()
    {
        SipUri contact = Assert.Single(Request("rfc4475/regescrt.dat").Contacts).Uri;
        Assert.Equal("<sip:sip.example.com>", contact.Headers.Get("Route"));
        Assert.Equal("sip:user@example.com?Route=%3Csip:sip.example.com%3E", contact.ToString());
    }

    [Fact]
    public void Unknown_schemes_are_opaque_uris()
    {
        SipRequest unkscm = Request("rfc4475/unkscm.dat");
        Assert.Equal("nobodyknowsthisscheme", unkscm.RequestUri.Scheme);
        Assert.Equal("totallyopaquecontent", unkscm.RequestUri.Opaque);
        Assert.Equal("soap.beep", Request("rfc4475/novelsc.dat").RequestUri.Scheme);
        SipRequest unksm2 = Request("rfc4475/unksm2.dat");
        Assert.Equal("isbn", unksm2.To!.Uri.Scheme);
        Assert.Equal("http", unksm2.From!.Uri.Scheme);
        Assert.Equal("name", Assert.Single(unksm2.Contacts).Uri.Scheme);
    }

    [Fact]
    public void Inv2543_rfc2543_request_without_branch_tag_or_length()
    {
        SipRequest r = Request("rfc4475/inv2543.dat");
        Assert.Null(r.TopVia!.Branch);
        Assert.Null(r.From!.Tag);
        Assert.Null(r.MaxForwards);
        Assert.Null(r.ContentLength);
        Assert.False(r.Body.IsEmpty);
        // addr-spec form: ";user=phone" belongs to the To header, inside <> to the URI (RFC 3261 §20).
        Assert.Equal("phone", r.To!.Parameters.Get("user"));
        Assert.Equal("phone", r.From.Uri.Parameters.Get("user"));
        Assert.Equal("ss1.example.com", Assert.Single(r.RecordRoutes).Uri.MAddr);
    }

    [Theory]
    [InlineData("rfc4475/ipv6-good.dat")]
    [InlineData("rfc5118/ipv6-good")]
    public void Ipv6_references_in_uri_via_and_contact(string file)
    {
        SipRequest r = Request(file);
        Assert.Equal("[2001:db8::10]", r.RequestUri.Host);
        Assert.True(r.RequestUri.IsIPv6Reference);
        Assert.Equal("[2001:db8::9:1]", r.TopVia!.Host);
        Assert.Equal("[2001:db8::1]", Assert.Single(r.Contacts).Uri.Host);
    }

    [Fact]
    public void Ipv6_port_ambiguity_is_resolved_by_the_brackets()
    {
        SipRequest ambiguous = Request("rfc4475/port-ambiguous.dat");
        Assert.Equal("[2001:db8::10:5070]", ambiguous.RequestUri.Host);
        Assert.Null(ambiguous.RequestUri.Port);
        SipRequest unambiguous = Request("rfc4475/port-unambiguous.dat");
        Assert.Equal("[2001:db8::10]", unambiguous.RequestUri.Host);
        Assert.Equal(5070, unambiguous.RequestUri.Port);
        Assert.NotEqual(ambiguous.RequestUri, unambiguous.RequestUri);
    }

    [Fact]
    public void Via_received_with_and_without_delimiters()
    {
        Assert.Equal("2001:db8::9:255", Request("rfc4475/via-received-param-no-delim.dat").TopVia!.Received);
        Assert.Equal("[2001:db8::9:255]", Request("rfc4475/via-received-param-with-delim.dat").TopVia!.Received);
    }

    [Fact]
    public void Mixed_ip_versions_and_mapped_addresses()
    {
        SipRequest mult = Request("rfc4475/mult-ip-in-header.dat");
        Assert.Equal(["[2001:db8::9:1]", "192.0.2.1", "[2001:db8::9:255]"], mult.Vias.Select(v => v.Host));
        Assert.Equal(6050, mult.TopVia!.Port);
        Assert.Equal("192.0.2.200", mult.Vias[2].Received);
        SipRequest mapped = Request("rfc5118/ipv4-mapped-ipv6");
        Assert.Equal("[::ffff:192.0.2.10]", mapped.TopVia!.Host);
        Assert.Equal(19823, mapped.TopVia.Port);
        Assert.Equal(236, mapped.Body.Length);
    }

    [Fact]
    public void Ipv6_three_colon_reference_is_tolerated_and_differs_from_two_colons_only_textually()
    {
        Assert.Equal("[2001:db8:::192.0.2.1]", Request("rfc4475/ipv6-bug-abnf-3-colons.dat").RequestUri.Host);
        Assert.Equal("[2001:db8::192.0.2.1]", Request("rfc4475/ipv6-correct-abnf-2-colons.dat").RequestUri.Host);
        Assert.False(SipUri.TryParse("sip:[2001:db8::1::2]", out _));
        Assert.False(SipUri.TryParse("sip:[2001:db8:::1]", out _));
    }

    [Fact]
    public void Parse_errors_carry_what_a_400_needs()
    {
        Assert.False(SipMessageParser.TryParse(TortureMessageTests.Load("rfc4475/mismatch01.dat"), out _, out SipParseError error));
        Assert.True(error.CanRespond);
        Assert.Equal(SipHeaderNames.CSeq, error.HeaderName);
        SipResponse response = SipResponseFactory.CreateForParseError(error, "abc")!;
        Assert.Equal(400, response.StatusCode);
        Assert.Equal(error.CallId, response.CallId);
        Assert.Equal(error.CSeq, response.Headers.Get(SipHeaderNames.CSeq));
        Assert.Equal("abc", response.To!.Tag);
        byte[] bytes = SipMessageWriter.ToBytes(response);
        Assert.StartsWith("SIP/2.0 400 CSeq: method INVITE does not match request method OPTIONS\r\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);

        Assert.False(SipMessageParser.TryParse(TortureMessageTests.Load("rfc4475/badvers.dat"), out _, out SipParseError version));
        Assert.Equal(505, SipResponseFactory.CreateForParseError(version)!.StatusCode);

        // A response cannot be answered, and a malformed Via still leaves a sent-by to answer to (RFC 4475 §3.1.2.1).
        Assert.False(SipMessageParser.TryParse(TortureMessageTests.Load("rfc4475/bigcode.dat"), out _, out SipParseError bigcode));
        Assert.False(bigcode.CanRespond);
        Assert.Null(SipResponseFactory.CreateForParseError(bigcode));
        Assert.False(SipMessageParser.TryParse(TortureMessageTests.Load("rfc4475/badinv01.dat"), out _, out SipParseError badinv));
        Assert.True(badinv.CanRespond);
        Assert.Equal("192.0.2.15", badinv.TopVia!.Host);
    }
}

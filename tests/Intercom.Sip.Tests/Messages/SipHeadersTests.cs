using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

public class SipHeadersTests
{
    [Theory]
    [InlineData("i", "Call-ID")]
    [InlineData("m", "Contact")]
    [InlineData("f", "From")]
    [InlineData("t", "To")]
    [InlineData("v", "Via")]
    [InlineData("l", "Content-Length")]
    [InlineData("c", "Content-Type")]
    [InlineData("k", "Supported")]
    [InlineData("e", "Content-Encoding")]
    [InlineData("s", "Subject")]
    [InlineData("o", "Event")]
    [InlineData("r", "Refer-To")]
    [InlineData("b", "Referred-By")]
    [InlineData("x", "Session-Expires")]
    [InlineData("u", "Allow-Events")]
    public void Compact_forms_are_found_by_long_name_and_back(string compact, string name)
    {
        var headers = new SipHeaders();
        headers.Add(compact.ToUpperInvariant(), "value");
        Assert.Equal("value", headers.Get(name));
        Assert.Equal("value", headers.Get(name.ToLowerInvariant()));
        Assert.Equal("value", headers.Get(compact));
        Assert.Equal(name, SipHeaderNames.Canonical(compact));
        Assert.True(SipHeaderNames.Matches(compact, name));
    }

    [Fact]
    public void List_values_split_outside_quotes_and_angle_brackets()
    {
        var headers = new SipHeaders();
        headers.Add("Contact", "\"Doe, John\" <sip:john@example.com;a=b,c>;q=0.5 , sip:x@y.example.com,,<sip:z@example.com>");
        headers.Add("m", "<sip:w@example.com>");
        Assert.Equal(
            ["\"Doe, John\" <sip:john@example.com;a=b,c>;q=0.5", "sip:x@y.example.com", "<sip:z@example.com>", "<sip:w@example.com>"],
            headers.GetAll("Contact"));
        Assert.Equal("\"Doe, John\" <sip:john@example.com;a=b,c>;q=0.5", headers.Get("contact"));
        Assert.Equal(2, headers.GetLines("Contact").Count);
    }

    [Fact]
    public void Non_list_headers_are_not_split()
    {
        var headers = new SipHeaders();
        headers.Add("Date", "Sat, 13 Nov 2010 23:29:00 GMT");
        headers.Add("WWW-Authenticate", "Digest realm=\"a\", nonce=\"b\"");
        headers.Add("X-Unknown", "a, b");
        Assert.Equal(["Sat, 13 Nov 2010 23:29:00 GMT"], headers.GetAll("Date"));
        Assert.Single(headers.GetAll("WWW-Authenticate"));
        Assert.Equal("a, b", headers.Get("x-unknown"));
    }

    [Fact]
    public void Set_replaces_all_lines_in_place_and_remove_counts()
    {
        var headers = new SipHeaders();
        headers.Add("Via", "SIP/2.0/UDP a");
        headers.Add("To", "<sip:a@b>");
        headers.Add("v", "SIP/2.0/UDP b");
        headers.Set("Via", "SIP/2.0/TCP c");
        Assert.Equal(2, headers.Count);
        Assert.Equal(new SipHeader("Via", "SIP/2.0/TCP c"), headers[0]);
        headers.Insert(0, "Via", "SIP/2.0/UDP top");
        Assert.Equal("SIP/2.0/UDP top", headers.Get("v"));
        Assert.Equal(2, headers.Remove("VIA"));
        Assert.Equal(0, headers.Remove("Via"));
        Assert.Single(headers);
    }

    [Theory]
    [InlineData("Bad Name", "x")]
    [InlineData("X-Inject", "a\r\nVia: evil")]
    [InlineData("", "x")]
    public void Header_injection_and_bad_names_are_refused(string name, string value)
    {
        var headers = new SipHeaders();
        Assert.Throws<ArgumentException>(() => headers.Add(name, value));
    }

    [Fact]
    public void Typed_accessors_follow_header_edits()
    {
        var request = new SipRequest(SipMethods.Options, SipUri.Parse("sip:door@example.com"));
        Assert.Null(request.CSeq);
        request.Headers.Add("CSeq", "1 OPTIONS");
        Assert.Equal(new SipCSeq(1, "OPTIONS"), request.CSeq);
        request.Headers.Set("CSeq", "2 OPTIONS");
        Assert.Equal(2u, request.CSeq!.Value.Number);
        request.Headers.Add("Contact", "*");
        Assert.True(request.IsContactWildcard);
        Assert.Empty(request.Contacts);
        request.Headers.Add("Expires", "99999999999");
        Assert.Null(request.Expires);
        request.Headers.Set("Expires", "3600");
        Assert.Equal(3600u, request.Expires);
    }

    [Theory]
    [InlineData("<sip:a@b>;expires=3600", 3600u)]
    [InlineData("<sip:a@b>;expires=0", 0u)]
    [InlineData("<sip:a@b>;expires=280297596632815", uint.MaxValue)]
    [InlineData("<sip:a@b>;expires=soon", null)]
    [InlineData("<sip:a@b;expires=60>", null)]
    public void Contact_expires_parameter(string contact, uint? expires)
    {
        Assert.True(SipNameAddress.TryParse(contact, out SipNameAddress? address));
        Assert.Equal(expires, address.Expires);
    }
}

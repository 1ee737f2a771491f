using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

public class SipUriTests
{
    // RFC 3261 §19.1.4: URIs that are equivalent.
    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    [InlineData("sip:[2001:db8::1]", "sip:[2001:DB8:0:0:0:0:0:1]")]
    public void Equivalent_uris(string a, string b)
    {
        Assert.Equal(SipUri.Parse(a), SipUri.Parse(b));
        Assert.Equal(SipUri.Parse(a).GetHashCode(), SipUri.Parse(b).GetHashCode());
    }

    // RFC 3261 §19.1.4: URIs that are not equivalent.
    [Theory]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off")]
    [InlineData("sip:alice@atlanta.com", "sips:alice@atlanta.com")]
    public void Different_uris(string a, string b) => Assert.NotEqual(SipUri.Parse(a), SipUri.Parse(b));

    [Fact]
    public void Components_are_parsed_and_unescaped()
    {
        SipUri uri = SipUri.Parse("sips:alice%20smith:secret@[2001:db8::10]:5061;transport=tls;lr;maddr=239.255.255.1?subject=hi%21&x=");
        Assert.Equal("sips", uri.Scheme);
        Assert.True(uri.IsSecure);
        Assert.Equal("alice smith", uri.User);
        Assert.Equal("secret", uri.Password);
        Assert.Equal("[2001:db8::10]", uri.Host);
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tls", uri.Transport);
        Assert.True(uri.IsLooseRouter);
        Assert.Equal("239.255.255.1", uri.MAddr);
        Assert.Equal("hi!", uri.Headers.Get("subject"));
        Assert.Equal(string.Empty, uri.Headers.Get("x"));
        Assert.Equal("sips:alice%20smith:secret@[2001:db8::10]:5061;transport=tls;lr;maddr=239.255.255.1?subject=hi!&x=", uri.ToString());
    }

    [Fact]
    public void Tel_and_opaque_uris()
    {
        SipUri tel = SipUri.Parse("tel:+1-201-555-0123;phone-context=example.com");
        Assert.Equal("+1-201-555-0123", tel.User);
        Assert.Equal("example.com", tel.Parameters.Get("phone-context"));
        Assert.Equal("tel:+1-201-555-0123;phone-context=example.com", tel.ToString());
        SipUri mail = SipUri.Parse("mailto:door@example.com");
        Assert.Equal("mailto", mail.Scheme);
        Assert.Equal("door@example.com", mail.Opaque);
        Assert.False(mail.IsSip);
    }

    [Theory]
    [InlineData("", "empty URI")]
    [InlineData("alice@example.com", "no URI scheme in \"alice@example.com\"")]
    [InlineData("sip:", "invalid host \"\"")]
    [InlineData("sip:@example.com", "empty user part")]
    [InlineData("sip:alice@exa mple.com", "invalid host \"exa mple.com\"")]
    [InlineData("sip:alice@example.com:70000", "invalid port \"70000\"")]
    [InlineData("sip:alice@example.com:", "invalid port \"\"")]
    [InlineData("sip:alice@[2001:db8::1", "unterminated IPv6 reference")]
    [InlineData("sip:alice@[2001:db8::g]", "invalid host \"[2001:db8::g]\"")]
    [InlineData("sip:al%4ice@example.com", "invalid character or escape in user part \"al%4ice\"")]
    [InlineData("sip:alice@example.com;=x", "invalid URI parameter \"=x\"")]
    [InlineData("sip:alice@example.com?noequals", "invalid URI header \"noequals\"")]
    [InlineData("tel:", "empty telephone number")]
    [InlineData("sip:alice@-example.com", "invalid host \"-example.com\"")]
    [InlineData("sip:alice@256.1.1.1x:5", "invalid host \"256.1.1.1x\"")]
    public void Malformed_uris_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(SipUri.TryParse(text, SipLimits.Default, out SipUri? uri, out string? error));
        Assert.Null(uri);
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Parameter_count_is_bounded()
    {
        string many = "sip:a@b" + string.Concat(Enumerable.Repeat(";p", 65));
        Assert.False(SipUri.TryParse(many, SipLimits.Default, out _, out string? error));
        Assert.Equal("more than 64 URI parameters", error);
        Assert.True(SipUri.TryParse("sip:a@b" + string.Concat(Enumerable.Repeat(";p", 64)), out _));
    }

    [Fact]
    public void Clone_is_deep()
    {
        SipUri original = SipUri.Parse("sip:bob@example.com;transport=tcp");
        SipUri copy = original.Clone();
        copy.Parameters.Set("transport", "udp");
        Assert.Equal("tcp", original.Transport);
        Assert.NotEqual(original, copy);
    }

    [Fact]
    public void Constructed_uris_are_well_formed()
    {
        Assert.Equal("sip:door@[2001:db8::5]:5062", new SipUri("sip", "door", "2001:db8::5", 5062).ToString());
        Assert.Equal("sips:door@example.com", new SipUri("SIPS", "door", "example.com").ToString());
        Assert.Throws<ArgumentException>(() => new SipUri("sip", "door", "bad host"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipUri("sip", "door", "example.com", 70000));
    }
}

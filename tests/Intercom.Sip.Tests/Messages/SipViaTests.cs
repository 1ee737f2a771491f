using Intercom.Sip.Messages;

namespace Intercom.Sip.Tests.Messages;

public class SipViaTests
{
    [Fact]
    public void Parses_sent_protocol_sent_by_and_parameters()
    {
        Assert.True(SipVia.TryParse("SIP / 2.0 / tcp [2001:db8::1] : 5061 ; branch=z9hG4bK77;rport=5070;received=192.0.2.9;maddr=239.1.1.1;ttl=16;x=\"q,v\"", SipLimits.Default, out SipVia? via, out string? error), error);
        Assert.Equal("TCP", via.Transport);
        Assert.Equal("[2001:db8::1]", via.Host);
        Assert.Equal(5061, via.Port);
        Assert.Equal("[2001:db8::1]:5061", via.SentBy);
        Assert.Equal("z9hG4bK77", via.Branch);
        Assert.True(via.IsRfc3261Branch);
        Assert.Equal(5070, via.Rport);
        Assert.Equal("192.0.2.9", via.Received);
        Assert.Equal("239.1.1.1", via.MAddr);
        Assert.Equal(16, via.Ttl);
        Assert.Equal("\"q,v\"", via.Parameters.Get("x"));
        Assert.Equal("SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bK77;rport=5070;received=192.0.2.9;maddr=239.1.1.1;ttl=16;x=\"q,v\"", via.ToString());
    }

    [Fact]
    public void Server_fills_in_received_and_rport_on_the_message()
    {
        SipMessage message = SipMessageParserTests.Parse(SipMessageParserTests.Invite.Replace(
            "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport",
            "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport, SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp",
            StringComparison.Ordinal));
        SipVia top = message.TopVia!.Clone();
        Assert.True(top.HasRport);
        Assert.Null(top.Rport);
        top.Received = "192.0.2.4";
        top.SetRport(40123);
        message.SetTopVia(top);
        Assert.Equal(40123, message.TopVia!.Rport);
        Assert.Equal("192.0.2.4", message.TopVia.Received);
        Assert.Equal("proxy.example.com", message.Vias[1].Host);
        Assert.Equal(
            "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport=40123;received=192.0.2.4, SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp",
            message.Headers.GetLines("Via")[0]);
    }

    [Theory]
    [InlineData("SIP/2.0/UDP", "expected whitespace after sent-protocol")]
    [InlineData("SIP/UDP host", "expected sent-protocol \"SIP/2.0/transport\"")]
    [InlineData("SIP/2.0/UDP host:99999", "invalid sent-by port")]
    [InlineData("SIP/2.0/UDP host;rport=x", "invalid rport value")]
    [InlineData("SIP/2.0/UDP host;branch", "branch needs a token value")]
    [InlineData("SIP/2.0/UDP host;;branch=1", "empty parameter name")]
    [InlineData("SIP/2.0/UDP ho st", "expected ';' before \"st\"")]
    public void Malformed_vias_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(SipVia.TryParse(text, SipLimits.Default, out _, out string? error));
        Assert.Equal(reason, error);
    }
}

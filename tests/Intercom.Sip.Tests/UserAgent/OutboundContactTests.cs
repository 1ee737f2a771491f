using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>
/// RFC 5626 §4.3: over a flow registered with outbound, the Contact of a dialog-forming request and of the 2xx that
/// answers one carries ;ob and the +sip.instance, so the dialog's requests come back over that flow; elsewhere it does not.
/// </summary>
public sealed class OutboundContactTests : IDisposable
{
    private const string Instance = "urn:uuid:2f0e4b52-8c1d-5a3e-9f6b-0d2c4e6a8b10";
    private readonly UserAgentTestBench _bench = new();
    private readonly FakeOfferAnswer _media = new();

    public void Dispose() => _bench.Dispose();

    // The registrar's flow in these tests: 198.51.100.7:5060 (the resident's INVITEs come from there too).
    private static string? RegisteredFlow(SipDestination destination) =>
        destination.EndPoint.Address.ToString() == "198.51.100.7" && destination.EndPoint.Port == 5060 ? Instance : null;

    private SipRequest Dial(string target)
    {
        _bench.Agent.Dial(SipUri.Parse(target), new DialOptions
        {
            From = new SipNameAddress(SipUri.Parse("sip:door@example.com"), "Front door"),
            Media = _media,
        });
        return _bench.Sent("INVITE").Last();
    }

    [Fact]
    public void An_INVITE_over_the_outbound_flow_has_ob_and_the_instance_in_its_Contact()
    {
        _bench.Agent.OutboundInstance = RegisteredFlow;
        var contact = Dial("sip:resident@198.51.100.7:5060").Contacts[0];
        Assert.True(contact.Uri.Parameters.Contains("ob"));
        Assert.Equal("\"<" + Instance + ">\"", contact.Parameters.Get("+sip.instance"));
    }

    [Fact]
    public void An_INVITE_elsewhere_has_neither()
    {
        _bench.Agent.OutboundInstance = RegisteredFlow;
        var contact = Dial("sip:bob@198.51.100.8:5070").Contacts[0];
        Assert.False(contact.Uri.Parameters.Contains("ob"));
        Assert.Null(contact.Parameters.Get("+sip.instance"));
    }

    [Fact]
    public void The_2xx_to_an_INVITE_that_came_over_the_outbound_flow_has_ob()
    {
        _bench.Agent.OutboundInstance = RegisteredFlow;
        _bench.OnIncoming = call => call.Answer(_media);
        _bench.Receive(UserAgentTestBench.Invite());
        var contact = Assert.Single(_bench.Responses(200)).Contacts[0];
        Assert.True(contact.Uri.Parameters.Contains("ob"));
        Assert.Equal("\"<" + Instance + ">\"", contact.Parameters.Get("+sip.instance"));
    }

    [Fact]
    public void Without_outbound_the_2xx_Contact_is_as_before()
    {
        _bench.OnIncoming = call => call.Answer(_media);
        _bench.Receive(UserAgentTestBench.Invite());
        var contact = Assert.Single(_bench.Responses(200)).Contacts[0];
        Assert.False(contact.Uri.Parameters.Contains("ob"));
        Assert.Null(contact.Parameters.Get("+sip.instance"));
    }
}

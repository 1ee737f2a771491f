using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>RFC 3261 §8.1.3.4: the targets of a 3xx, best q first, only what a SIP user agent can call.</summary>
public sealed class SipRedirectTests
{
    [Fact]
    public void Targets_come_best_q_first_and_equal_q_in_the_order_given()
    {
        var response = Response(
            "Contact: <sip:desk@pbx.example>;q=0.1",
            "Contact: <sip:mobile@pbx.example>;q=0.9, <sip:car@pbx.example>;q=0.9",
            "Contact: <sip:voicemail@pbx.example>;q=0.5");

        var targets = SipRedirect.Targets(response).Select(u => u.User ?? "").ToArray();

        Assert.Equal(["mobile", "car", "voicemail", "desk"], targets);
    }

    [Fact]
    public void A_contact_without_q_ranks_first_and_non_sip_schemes_are_left_out()
    {
        var response = Response(
            "Contact: <tel:+4930123456>",
            "Contact: <sip:mobile@pbx.example>;q=0.7",
            "Contact: <sips:tablet@pbx.example>");

        var targets = SipRedirect.Targets(response).Select(u => u.ToString()).ToArray();

        Assert.Equal(["sips:tablet@pbx.example", "sip:mobile@pbx.example"], targets);
    }

    [Fact]
    public void A_flood_of_contacts_is_cut_to_a_few()
    {
        var lines = Enumerable.Range(0, 50).Select(i => $"Contact: <sip:u{i}@pbx.example>").ToArray();

        Assert.Equal(SipRedirect.MaxTargets, SipRedirect.Targets(Response(lines)).Count);
    }

    private static SipResponse Response(params string[] contacts) => (SipResponse)Transactions.FakeSipTransport.Parse(
        "SIP/2.0 302 Moved Temporarily\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\r\n"
        + "From: <sip:door@pbx.example>;tag=a\r\n"
        + "To: <sip:desk@pbx.example>;tag=b\r\n"
        + "Call-ID: redirect-1\r\n"
        + "CSeq: 1 INVITE\r\n"
        + string.Concat(contacts.Select(c => c + "\r\n"))
        + "Content-Length: 0\r\n\r\n");
}

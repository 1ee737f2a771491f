using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>
/// Issue #15.6: an outgoing call stays on its account's transport (RFC 3261 §26.2, RFC 5630): a TLS account's INVITE, ACK
/// and BYE go over TLS only, never falling back to UDP; an offer carrying SDES keys (RFC 4568 §8.3) is sent over TLS or
/// not at all; and the authorizer learns where the challenged request went.
/// </summary>
public sealed class OutgoingCallTransportTests : IDisposable
{
    private const string Answer = "v=0\r\nm=audio 6000 RTP/SAVP 0\r\na=sendrecv\r\n";
    private readonly UserAgentTestBench _bench = new();
    private readonly List<string> _events = [];

    public void Dispose() => _bench.Dispose();

    private SipCall Dial(string target, SipUri? proxy, SipTransportProtocol? transport, bool keys,
        Func<SipRequest, SipResponse, SipDestination, bool>? authorize = null)
    {
        var call = _bench.Agent.Dial(SipUri.Parse(target), new DialOptions
        {
            From = new SipNameAddress(SipUri.Parse("sip:door@example.com"), "Front door"),
            Media = new KeyedOfferAnswer(keys),
            OutboundProxy = proxy,
            Transport = transport,
            Authorize = authorize,
        });
        call.Answered += _ => _events.Add("answered");
        call.Ended += c => _events.Add($"ended {c.EndReason} {c.EndStatus}");
        return call;
    }

    private IEnumerable<(SipRequest Request, SipDestination? Destination)> Sent(string method) =>
        _bench.Transport.SentMessages.Where(s => s.Message is SipRequest r && r.Method == method).Select(s => ((SipRequest)s.Message, s.Destination));

    [Fact]
    public void A_tls_accounts_invite_goes_over_tls_to_its_proxy_even_when_the_uri_names_no_transport()
    {
        Dial("sip:bob@198.51.100.7:5070", SipUri.Parse("sip:192.0.2.10:5061"), SipTransportProtocol.Tls, keys: true);

        var (invite, destination) = Assert.Single(Sent("INVITE"));
        Assert.Equal(SipTransportProtocol.Tls, destination!.Value.Protocol);
        Assert.Equal("192.0.2.10:5061", destination.Value.EndPoint.ToString());
        Assert.Equal("TLS", invite.TopVia!.Transport);
        Assert.Contains("a=crypto:", UserAgentTestBench.Body(invite), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_proxy_a_tls_accounts_call_locates_the_target_over_tls_not_udp()
    {
        Dial("sip:bob@198.51.100.7:5070", null, SipTransportProtocol.Tls, keys: false);

        var (_, destination) = Assert.Single(Sent("INVITE"));
        Assert.Equal(SipTransportProtocol.Tls, destination!.Value.Protocol);
    }

    [Fact]
    public void An_offer_with_sdes_keys_toward_a_proxy_whose_uri_says_udp_goes_over_tls_to_it_never_in_clear()
    {
        // No account transport at all, and a proxy URI that asks for UDP: the keys would cross in clear.
        var call = Dial("sip:bob@198.51.100.7:5070", SipUri.Parse("sip:192.0.2.10:5060;transport=udp"), null, keys: true);

        var (invite, destination) = Assert.Single(Sent("INVITE"));
        Assert.Equal(SipTransportProtocol.Tls, destination!.Value.Protocol);
        Assert.Equal("TLS", invite.TopVia!.Transport);
        Assert.Equal(CallState.Calling, call.State);
    }

    [Fact]
    public void An_offer_with_sdes_keys_and_no_account_transport_is_still_sent_only_over_tls()
    {
        Dial("sip:bob@198.51.100.7:5070", SipUri.Parse("sip:192.0.2.10:5061"), null, keys: true);

        var (_, destination) = Assert.Single(Sent("INVITE"));
        Assert.Equal(SipTransportProtocol.Tls, destination!.Value.Protocol);
    }

    [Fact]
    public void An_offer_without_keys_and_no_account_transport_keeps_rfc3263_location()
    {
        Dial("sip:bob@198.51.100.7:5070", null, null, keys: false);

        var (_, destination) = Assert.Single(Sent("INVITE"));
        Assert.Equal(SipTransportProtocol.Udp, destination!.Value.Protocol);
    }

    [Fact]
    public void The_ack_and_bye_of_a_tls_call_stay_on_tls_when_the_peers_contact_says_udp()
    {
        var call = Dial("sip:bob@198.51.100.7:5070", SipUri.Parse("sip:192.0.2.10:5061"), SipTransportProtocol.Tls, keys: true);
        var (invite, _) = Sent("INVITE").Single();

        // The 200's Contact (sip:bob@198.51.100.7:5070) has no transport, and no Record-Route came back.
        _bench.Receive(UserAgentTestBench.ResponseTo(invite, 200, "bob1", body: Answer));
        call.Hangup();

        Assert.Equal(["answered", "ended LocalHangup "], _events);
        Assert.Equal(SipTransportProtocol.Tls, Assert.Single(Sent("ACK")).Destination!.Value.Protocol);
        Assert.Equal(SipTransportProtocol.Tls, Assert.Single(Sent("BYE")).Destination!.Value.Protocol);
    }

    [Fact]
    public void The_authorizer_is_told_where_the_challenged_invite_went()
    {
        var asked = new List<SipDestination>();
        Dial("sip:bob@198.51.100.7:5070", SipUri.Parse("sip:192.0.2.10:5061"), SipTransportProtocol.Tls, keys: true, (_, _, destination) =>
        {
            asked.Add(destination);
            return false;
        });
        var (invite, sentTo) = Sent("INVITE").Single();

        _bench.Receive(UserAgentTestBench.ResponseTo(invite, 407, "proxy1", "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n1\""));

        Assert.Equal([sentTo!.Value], asked);
        Assert.Single(Sent("INVITE"));
        Assert.Equal(["ended Rejected 407"], _events);
    }

    /// <summary>An offer as an SRTP call makes it, with an SDES key line when <paramref name="keys"/> is set.</summary>
    private sealed class KeyedOfferAnswer(bool keys) : IOfferAnswer
    {
        public string CreateOffer(bool hold) => keys
            ? "v=0\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\na=sendrecv\r\n"
            : "v=0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n";

        public OfferAnswerOutcome AnswerOffer(string offer) => OfferAnswerOutcome.Refused("not in these tests");

        public OfferAnswerOutcome ApplyAnswer(string answer) => OfferAnswerOutcome.Accepted(null, false);
    }
}

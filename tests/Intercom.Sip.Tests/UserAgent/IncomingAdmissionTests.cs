using System.Net;
using System.Text;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Intercom.Sip.UserAgent.Authentication;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>
/// Callers let in by where their INVITE comes from, never by what it claims: a server the station registers at, a trusted
/// network, or (with incoming authentication on) a digest answer; anything else gets 403 before its From is looked at, so
/// an allowlisted From and any other get the same answer.
/// </summary>
public sealed class IncomingAdmissionTests : IDisposable
{
    private static readonly IPAddress Pbx = IPAddress.Parse("192.0.2.50");
    private readonly UserAgentTestBench _bench = new();
    private readonly FakeOfferAnswer _media = new();

    public IncomingAdmissionTests()
    {
        _bench.OnIncoming = call => call.Answer(_media);
    }

    public void Dispose() => _bench.Dispose();

    private static SipFlow From(string address, SipTransportProtocol protocol = SipTransportProtocol.Udp, int port = 5060) =>
        new(protocol, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060), new IPEndPoint(IPAddress.Parse(address), port), null, null);

    private static string Invite(string fromUser, string branch) =>
        UserAgentTestBench.Invite(branch: branch).Replace("From: \"Resident\" <sip:resident@example.com>", $"From: <sip:{fromUser}@127.0.0.1>", StringComparison.Ordinal);

    private IncomingAdmission TrustingPbxAnd(params string[] networks) =>
        new(networks.Select(IPNetwork.Parse), flow => IncomingAdmission.Normalise(flow.RemoteEndPoint.Address).Equals(Pbx));

    [Fact]
    public void A_stranger_gets_the_same_403_whoever_the_from_names_and_no_call()
    {
        _bench.Agent.Admission = TrustingPbxAnd("10.0.0.0/24");
        _bench.Transport.Receive(Invite("resident", "z9hG4bKs1"), From("198.51.100.7"));
        _bench.Transport.Receive(Invite("someone-else", "z9hG4bKs2"), From("198.51.100.7"));

        var refusals = _bench.Transport.SentResponses.Where(r => r.StatusCode >= 200).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, r => Assert.Equal((403, "Forbidden"), (r.StatusCode, r.ReasonPhrase)));
        // The same headers apart from the ones that echo the request (Via, From, Call-ID) and the fresh To tag.
        static IEnumerable<string> Shape(SipResponse r) => r.Headers.Select(h => h.Name).Order(StringComparer.Ordinal);
        Assert.Equal(Shape(refusals[0]), Shape(refusals[1]));
        Assert.Equal(refusals[0].Body.Length, refusals[1].Body.Length);
        Assert.Empty(_bench.IncomingCalls);
        Assert.Empty(_media.AnsweredOffers);
    }

    [Theory]
    [InlineData("192.0.2.50", SipTransportProtocol.Udp, IncomingCallOrigin.Server)]
    [InlineData("10.0.0.7", SipTransportProtocol.Udp, IncomingCallOrigin.TrustedNetwork)]
    [InlineData("10.0.0.255", SipTransportProtocol.Tcp, IncomingCallOrigin.TrustedNetwork)]
    [InlineData("::ffff:10.0.0.9", SipTransportProtocol.Udp, IncomingCallOrigin.TrustedNetwork)]
    [InlineData("fd00::1234", SipTransportProtocol.Udp, IncomingCallOrigin.TrustedNetwork)]
    public void A_trusted_source_is_let_in_and_its_call_says_how(string source, SipTransportProtocol protocol, IncomingCallOrigin origin)
    {
        _bench.Agent.Admission = TrustingPbxAnd("10.0.0.0/24", "fd00::/64");

        _bench.Transport.Receive(Invite("resident", "z9hG4bKt1"), From(source, protocol));

        Assert.Equal(origin, Assert.Single(_bench.IncomingCalls).Origin);
    }

    [Theory]
    [InlineData("10.0.0.7", SipTransportProtocol.Wss)]
    [InlineData("10.0.0.7", SipTransportProtocol.Ws)]
    [InlineData("192.0.2.50", SipTransportProtocol.Wss)]
    public void A_WebSocket_from_a_trusted_network_or_the_pbx_is_no_trusted_source(string source, SipTransportProtocol protocol)
    {
        // A browser on the resident's network opens WebSockets for any page it shows (RFC 6455 §10.2): its address proves
        // nothing about who drives it, so the INVITE is refused as a stranger's (403 without incoming authentication).
        _bench.Agent.Admission = TrustingPbxAnd("10.0.0.0/24");

        _bench.Transport.Receive(Invite("resident", "z9hG4bKw1"), From(source, protocol));

        Assert.Equal(403, _bench.Transport.SentResponses.Single(r => r.StatusCode >= 200).StatusCode);
        Assert.Empty(_bench.IncomingCalls);
    }

    [Theory]
    [InlineData("10.0.1.7")]
    [InlineData("192.0.2.51")]
    [InlineData("fd00:0:0:1::1")]
    public void A_source_just_outside_is_refused(string source)
    {
        _bench.Agent.Admission = TrustingPbxAnd("10.0.0.0/24", "fd00::/64");

        _bench.Transport.Receive(Invite("resident", "z9hG4bKo1"), From(source));

        Assert.Single(_bench.Responses(403));
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void Trusting_nobody_refuses_everyone()
    {
        _bench.Agent.Admission = IncomingAdmission.Nobody;

        _bench.Receive(UserAgentTestBench.Invite());

        Assert.Single(_bench.Responses(403));
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void Without_an_admission_nothing_is_checked_and_the_call_says_so()
    {
        _bench.Receive(UserAgentTestBench.Invite());

        Assert.Equal(IncomingCallOrigin.Unchecked, Assert.Single(_bench.IncomingCalls).Origin);
    }

    [Fact]
    public void With_authentication_on_a_stranger_is_challenged_first_whoever_the_from_names_and_let_in_once_authenticated()
    {
        _bench.Agent.Admission = IncomingAdmission.Nobody;
        _bench.Agent.IncomingAuthentication = new IncomingDigestAuthentication("door.example.com", new DigestCredentials("door", "kitchen-phone-77"), _bench.Time);

        _bench.Receive(Invite("resident", "z9hG4bKc1"));
        _bench.Receive(Invite("someone-else", "z9hG4bKc2"));
        Assert.Equal(2, _bench.Responses(401).Count());
        Assert.Empty(_bench.Responses(403));

        var challenge = _bench.Responses(401).First();
        var client = new DigestAuthenticator(new DigestCredentials("door", "kitchen-phone-77"));
        Assert.Equal(DigestChallengeOutcome.Authorized, client.HandleChallenge(Parse(Invite("resident", "z9hG4bKc1")), challenge));
        var authorised = Parse(Invite("resident", "z9hG4bKc3"));
        Assert.True(client.Authorize(authorised) > 0);
        _bench.Receive(Encoding.UTF8.GetString(SipMessageWriter.ToBytes(authorised)));

        Assert.Equal(IncomingCallOrigin.Authenticated, Assert.Single(_bench.IncomingCalls).Origin);
    }

    [Fact]
    public void With_authentication_on_a_trusted_source_is_asked_too()
    {
        // Authentication, when on, is asked of every caller: turning it on never lets in less carefully than before.
        _bench.Agent.Admission = TrustingPbxAnd("198.51.100.0/24");
        _bench.Agent.IncomingAuthentication = new IncomingDigestAuthentication("door.example.com", new DigestCredentials("door", "kitchen-phone-77"), _bench.Time);

        _bench.Receive(UserAgentTestBench.Invite());

        Assert.Single(_bench.Responses(401));
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void Requests_inside_an_admitted_call_are_not_checked_again()
    {
        _bench.Agent.Admission = TrustingPbxAnd("198.51.100.0/24");
        _bench.Receive(UserAgentTestBench.Invite());
        var call = Assert.Single(_bench.IncomingCalls);
        var toTag = _bench.Responses(200).First().To!.Parameters.Get("tag")!;
        _bench.Agent.Admission = IncomingAdmission.Nobody;

        _bench.Receive(UserAgentTestBench.InDialog("BYE", 11, toTag, "z9hG4bKbye"));

        Assert.Equal(CallState.Ended, call.State);
    }

    private static SipRequest Parse(string text) => (SipRequest)Transactions.FakeSipTransport.Parse(text);
}

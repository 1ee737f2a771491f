using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>The door station as caller (UAC): RFC 3261 §13.2, §9.1, §22.2, RFC 3262, RFC 6026.</summary>
public sealed class OutgoingCallTests : IDisposable
{
    private const string Answer = "v=0\r\nm=audio 6000 RTP/AVP 0\r\na=sendrecv\r\n";
    private readonly UserAgentTestBench _bench = new();
    private readonly FakeOfferAnswer _media = new();
    private readonly List<string> _events = [];

    public void Dispose() => _bench.Dispose();

    private SipCall Dial(Func<SipRequest, SipResponse, Intercom.Sip.Transport.SipDestination, bool>? authorize = null)
    {
        var call = _bench.Agent.Dial(SipUri.Parse("sip:bob@198.51.100.7:5070"), new DialOptions
        {
            From = new SipNameAddress(SipUri.Parse("sip:door@example.com"), "Front door"),
            Media = _media,
            Authorize = authorize,
        });
        call.Ringing += (_, early) => _events.Add(early ? "ringing+media" : "ringing");
        call.Answered += _ => _events.Add("answered");
        call.Ended += c => _events.Add($"ended {c.EndReason} {c.EndStatus}");
        return call;
    }

    private SipRequest Invite => _bench.Sent("INVITE").Last();

    [Fact]
    public void The_invite_carries_an_offer_contact_and_session_timer()
    {
        Dial();
        var invite = Assert.Single(_bench.Sent("INVITE"));
        Assert.Equal("sip:bob@198.51.100.7:5070", invite.RequestUri.ToString());
        Assert.Equal("Front door", invite.From!.DisplayName);
        Assert.NotNull(invite.From.Parameters.Get("tag"));
        Assert.Null(invite.To!.Parameters.Get("tag"));
        Assert.Equal("door", invite.Contacts[0].Uri.User);
        Assert.Equal("application/sdp", invite.ContentType);
        Assert.Contains("m=audio 4000", UserAgentTestBench.Body(invite), StringComparison.Ordinal);
        Assert.Equal("1800", invite.Headers.Get(SipHeaderNames.SessionExpires));
        Assert.Equal(new SipCSeq(1, "INVITE"), invite.CSeq);
    }

    [Fact]
    public void Ringing_then_200_sends_ack_and_reports_answered()
    {
        var call = Dial();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 180, "bob1"));
        Assert.Equal(CallState.Ringing, call.State);
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 200, "bob1", body: Answer));
        var ack = Assert.Single(_bench.Sent("ACK"));
        Assert.Equal("sip:bob@198.51.100.7:5070", ack.RequestUri.ToString());
        Assert.Equal(new SipCSeq(1, "ACK"), ack.CSeq);
        Assert.Equal("bob1", ack.To!.Parameters.Get("tag"));
        Assert.Equal(CallState.Established, call.State);
        Assert.Equal([Answer], _media.AppliedAnswers);
        Assert.Equal(["ringing", "answered"], _events);
    }

    [Fact]
    public void A_183_with_sdp_is_early_media()
    {
        Dial();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 183, "bob1", body: Answer));
        Assert.Equal(["ringing+media"], _events);
    }

    [Fact]
    public void A_retransmitted_200_gets_the_ack_again()
    {
        Dial();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 200, "bob1", body: Answer));
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 200, "bob1", body: Answer));
        Assert.Equal(2, _bench.Sent("ACK").Count());
        Assert.Equal(["answered"], _events);
    }

    [Fact]
    public void A_second_fork_answering_is_acked_and_hung_up()
    {
        var call = Dial();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 200, "bob1", body: Answer));
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 200, "bob2", body: Answer));
        Assert.Equal(["bob1", "bob2"], _bench.Sent("ACK").Select(a => a.To!.Parameters.Get("tag")));
        var bye = Assert.Single(_bench.Sent("BYE"));
        Assert.Equal("bob2", bye.To!.Parameters.Get("tag"));
        Assert.Equal(CallState.Established, call.State);
    }

    [Fact]
    public void A_challenge_is_answered_once_with_credentials_in_a_new_transaction()
    {
        var asked = 0;
        Dial((request, challenge, _) =>
        {
            // Like the digest authenticator: the first challenge is answered, a second one means wrong credentials.
            asked++;
            Assert.Equal(407, challenge.StatusCode);
            request.Headers.Set(SipHeaderNames.ProxyAuthorization, "Digest username=\"door\"");
            return asked == 1;
        });
        var first = Invite;
        _bench.Receive(UserAgentTestBench.ResponseTo(first, 407, "proxy1", "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n1\""));
        var second = Invite;
        Assert.NotSame(first, second);
        Assert.Equal(new SipCSeq(2, "INVITE"), second.CSeq);
        Assert.Equal(first.CallId, second.CallId);
        Assert.Equal(first.From!.Parameters.Get("tag"), second.From!.Parameters.Get("tag"));
        Assert.NotEqual(first.TopVia!.Branch, second.TopVia!.Branch);
        Assert.Equal("Digest username=\"door\"", second.Headers.Get(SipHeaderNames.ProxyAuthorization));

        // A second challenge the authorizer refuses (wrong credentials): no loop, the call ends with the status.
        _bench.Receive(UserAgentTestBench.ResponseTo(second, 407, "proxy1", "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n2\""));
        Assert.Equal(2, asked);
        Assert.Single(_bench.Sent("INVITE").Skip(1));
        Assert.Equal(["ended Rejected 407"], _events);
    }

    [Fact]
    public void Busy_ends_the_call_as_rejected_with_the_status()
    {
        var call = Dial();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 486, "bob1"));
        Assert.Equal(CallEndReason.Rejected, call.EndReason);
        Assert.Equal(486, call.EndStatus);
        Assert.Single(_bench.Sent("ACK")); // §17.1.1.3: the transaction acknowledges non-2xx itself.
    }

    [Fact]
    public void Hangup_while_ringing_cancels_and_487_ends_the_call()
    {
        var call = Dial();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 180, "bob1"));
        call.Hangup();
        var cancel = Assert.Single(_bench.Sent("CANCEL"));
        Assert.Equal(Invite.TopVia!.Branch, cancel.TopVia!.Branch);
        _bench.Receive(UserAgentTestBench.ResponseTo(cancel, 200, "bob1"));
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 487, "bob1"));
        Assert.Equal(CallEndReason.Cancelled, call.EndReason);
        Assert.Equal(["ringing", "ended Cancelled 487"], _events);
    }

    [Fact]
    public void When_the_200_wins_the_race_with_cancel_the_call_is_acked_and_hung_up()
    {
        var call = Dial();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 180, "bob1"));
        call.Hangup();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 200, "bob1", body: Answer));
        Assert.Single(_bench.Sent("ACK"));
        var bye = Assert.Single(_bench.Sent("BYE"));
        _bench.Receive(UserAgentTestBench.ResponseTo(bye, 200, "bob1"));
        Assert.Equal(CallState.Ended, call.State);
        Assert.DoesNotContain("answered", _events);
    }

    [Fact]
    public void A_reliable_provisional_is_pracked()
    {
        Dial();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 180, "bob1", "Require: 100rel\nRSeq: 7"));
        var prack = Assert.Single(_bench.Sent("PRACK"));
        Assert.Equal("7 1 INVITE", prack.Headers.Get(SipHeaderNames.RAck));
        Assert.Equal("bob1", prack.To!.Parameters.Get("tag"));
        // A retransmission of the same reliable provisional is not PRACKed twice.
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 180, "bob1", "Require: 100rel\nRSeq: 7"));
        Assert.Single(_bench.Sent("PRACK"));
    }

    [Fact]
    public void Hold_sends_a_sendonly_reinvite_and_acks_its_200()
    {
        var call = Dial();
        _bench.Receive(UserAgentTestBench.ResponseTo(Invite, 200, "bob1", body: Answer));
        call.Hold(true);
        var reinvite = _bench.Sent("INVITE").Last();
        Assert.Equal("bob1", reinvite.To!.Parameters.Get("tag"));
        Assert.Equal(2u, reinvite.CSeq!.Value.Number);
        Assert.Contains("a=sendonly", UserAgentTestBench.Body(reinvite), StringComparison.Ordinal);
        _bench.Receive(UserAgentTestBench.ResponseTo(reinvite, 200, "bob1", body: Answer));
        Assert.Equal(2, _bench.Sent("ACK").Count());
        Assert.Equal(new SipCSeq(2, "ACK"), _bench.Sent("ACK").Last().CSeq);
    }

    [Fact]
    public void No_answer_at_all_times_out()
    {
        var call = Dial();
        for (var i = 0; i < 40; i++)
        {
            _bench.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(CallEndReason.Timeout, call.EndReason);
    }
}

using Intercom.Sip.Messages;
using Intercom.Sip.Tests.Core;
using Intercom.Sip.UserAgent;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>The door station as callee (UAS): RFC 3261 §13.3, §14, §15, §9.2, RFC 4028.</summary>
public sealed class IncomingCallTests : IDisposable
{
    private readonly UserAgentTestBench _bench = new();
    private readonly FakeOfferAnswer _media = new();

    public void Dispose() => _bench.Dispose();

    private SipCall AnsweredCall(string extraHeaders = "")
    {
        _bench.OnIncoming = call => call.Answer(_media);
        _bench.Receive(UserAgentTestBench.Invite(extraHeaders: extraHeaders));
        return Assert.Single(_bench.IncomingCalls);
    }

    private string LocalTag() => _bench.Responses(200).First().To!.Parameters.Get("tag")!;

    [Fact]
    public void Options_outside_a_dialog_is_answered_with_capabilities()
    {
        _bench.Receive("""
            OPTIONS sip:door@192.0.2.1 SIP/2.0
            Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKopt1
            Max-Forwards: 70
            From: <sip:monitor@example.com>;tag=m1
            To: <sip:door@192.0.2.1>
            Call-ID: opt-1@example.com
            CSeq: 1 OPTIONS
            Content-Length: 0


            """);
        var ok = Assert.Single(_bench.Responses(200));
        Assert.Contains("INVITE", ok.Headers.Get(SipHeaderNames.Allow), StringComparison.Ordinal);
        Assert.Equal("application/sdp", ok.Headers.Get(SipHeaderNames.Accept));
        Assert.NotNull(ok.To!.Parameters.Get("tag"));
    }

    [Fact]
    public void A_caller_not_on_the_allowlist_gets_403_and_no_call()
    {
        _bench.Agent.AcceptIncoming = request => request.From!.Uri.User == "someone-else";
        _bench.Receive(UserAgentTestBench.Invite());
        Assert.Single(_bench.Responses(403));
        Assert.Empty(_bench.IncomingCalls);
        Assert.Empty(_media.AnsweredOffers);
    }

    [Fact]
    public void Without_a_handler_the_call_is_refused_with_480()
    {
        using var bench = new UserAgentTestBench();
        bench.Agent.IncomingCall -= null;
        var agent = new SipUserAgent(bench.Layer);
        bench.Receive(UserAgentTestBench.Invite());
        Assert.Single(bench.Responses(480));
        Assert.Equal(0, agent.ActiveCalls);
    }

    [Fact]
    public void A_required_extension_we_lack_gets_420_with_unsupported()
    {
        _bench.Receive(UserAgentTestBench.Invite(extraHeaders: "Require: foo"));
        var bad = Assert.Single(_bench.Responses(420));
        Assert.Equal("foo", bad.Headers.Get("Unsupported"));
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void Answer_sends_200_with_the_sdp_answer_and_retransmits_it_until_the_ack()
    {
        var call = AnsweredCall();
        var answered = 0;
        call.Answered += _ => answered++;
        var ok = Assert.Single(_bench.Responses(200));
        Assert.Equal(CallState.Answering, call.State);
        Assert.Contains("m=audio 4002", UserAgentTestBench.Body(ok), StringComparison.Ordinal);
        Assert.Equal("door", ok.Contacts[0].Uri.User);
        Assert.NotNull(ok.To!.Parameters.Get("tag"));

        // §13.3.1.4: T1, then 2*T1, ... over UDP.
        _bench.Time.StepMs(499);
        Assert.Single(_bench.Responses(200));
        _bench.Time.StepMs(1);
        Assert.Equal(2, _bench.Responses(200).Count());
        _bench.Time.StepMs(1000);
        Assert.Equal(3, _bench.Responses(200).Count());

        _bench.Receive(UserAgentTestBench.InDialog("ACK", 10, LocalTag(), "z9hG4bKack1"));
        Assert.Equal(CallState.Established, call.State);
        Assert.Equal(1, answered);
        _bench.Time.StepMs(10_000);
        Assert.Equal(3, _bench.Responses(200).Count());
    }

    [Fact]
    public void The_180_and_the_200_copy_the_invites_record_route_in_order_so_the_ack_comes_back_through_the_proxy()
    {
        // RFC 3261 §12.1.1: a response that establishes a dialog carries every Record-Route of the request, in order,
        // parameters and all. Without them the caller's route set is empty and its ACK and BYE go straight to our Contact,
        // which a NAT in front of the station lets in only from the proxy (issue #19's lab: no ACK, so the call was
        // never confirmed and the resident's code was held back as digits sent before the answer).
        const string recordRoutes = "Record-Route: <sip:198.51.100.10:5060;lr;r2=on;ftag=res1>, <sip:10.0.0.10;lr;r2=on>\n" +
            "Record-Route: <sip:edge.example.com;transport=tcp;lr>;x=unknown";
        _bench.OnIncoming = call =>
        {
            call.Ring();
            call.Answer(_media);
        };
        _bench.Receive(UserAgentTestBench.Invite(extraHeaders: recordRoutes));

        string[] expected = ["<sip:198.51.100.10:5060;lr;r2=on;ftag=res1>", "<sip:10.0.0.10;lr;r2=on>", "<sip:edge.example.com;transport=tcp;lr>;x=unknown"];
        foreach (var response in new[] { Assert.Single(_bench.Responses(180)), Assert.Single(_bench.Responses(200)) })
        {
            Assert.Equal(expected, response.RecordRoutes.Select(r => r.ToString()));
        }

        // The 100 Trying and a final error establish no dialog and carry none.
        Assert.All(_bench.Responses(100), r => Assert.Empty(r.RecordRoutes));
    }

    [Fact]
    public void No_ack_within_64_T1_ends_the_call_with_bye()
    {
        var call = AnsweredCall();
        _bench.Time.StepMs(32_000);
        Assert.Equal(CallState.Ended, call.State);
        Assert.Equal(CallEndReason.Timeout, call.EndReason);
        Assert.Single(_bench.Sent("BYE"));
    }

    [Fact]
    public void Cancel_before_answer_gets_200_and_the_invite_487()
    {
        _bench.OnIncoming = call => call.Ring();
        _bench.Receive(UserAgentTestBench.Invite());
        var call = Assert.Single(_bench.IncomingCalls);
        Assert.Single(_bench.Responses(180));
        _bench.Receive("""
            CANCEL sip:door@192.0.2.1 SIP/2.0
            Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKinv1
            Max-Forwards: 70
            From: "Resident" <sip:resident@example.com>;tag=res1
            To: <sip:door@example.com>
            Call-ID: in-call-1@example.com
            CSeq: 10 CANCEL
            Content-Length: 0


            """);
        Assert.Single(_bench.Responses(200));
        var terminated = Assert.Single(_bench.Responses(487));
        Assert.Equal(_bench.Responses(180).Single().To!.Parameters.Get("tag"), terminated.To!.Parameters.Get("tag"));
        Assert.Equal(CallEndReason.RemoteCancelled, call.EndReason);
    }

    [Fact]
    public void Reject_sends_the_status_and_ends_the_call()
    {
        _bench.OnIncoming = call => call.Reject(486, "Busy Here");
        _bench.Receive(UserAgentTestBench.Invite());
        Assert.Single(_bench.Responses(486));
        Assert.Equal(CallEndReason.LocalRejected, _bench.IncomingCalls[0].EndReason);
    }

    [Fact]
    public void An_offer_without_common_codec_gets_488()
    {
        _media.RefuseOffers = true;
        var call = AnsweredCall();
        Assert.Single(_bench.Responses(488));
        Assert.Equal(CallState.Ended, call.State);
    }

    [Fact]
    public void Bye_from_the_peer_is_answered_and_ends_the_call()
    {
        var call = AnsweredCall();
        var tag = LocalTag();
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 10, tag, "z9hG4bKack1"));
        _bench.Receive(UserAgentTestBench.InDialog("BYE", 11, tag, "z9hG4bKbye1"));
        Assert.Equal(2, _bench.Responses(200).Count());
        Assert.Equal(CallEndReason.RemoteHangup, call.EndReason);
        Assert.Equal(0, _bench.Agent.ActiveCalls);
    }

    [Fact]
    public void A_request_for_an_unknown_dialog_gets_481()
    {
        _bench.Receive(UserAgentTestBench.InDialog("BYE", 11, "nosuchtag", "z9hG4bKbye9"));
        Assert.Single(_bench.Responses(481));
    }

    [Fact]
    public void A_lower_cseq_in_the_dialog_gets_500()
    {
        AnsweredCall();
        var tag = LocalTag();
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 10, tag, "z9hG4bKack1"));
        _bench.Receive(UserAgentTestBench.InDialog("INFO", 9, tag, "z9hG4bKinfo1", "Signal=1\nDuration=160", "application/dtmf-relay"));
        Assert.Single(_bench.Responses(500));
    }

    [Fact]
    public void Info_in_the_dialog_is_passed_up_with_its_body()
    {
        var call = AnsweredCall();
        var tag = LocalTag();
        string? type = null;
        string? body = null;
        call.InfoReceived += (_, t, b) => (type, body) = (t, System.Text.Encoding.UTF8.GetString(b.Span));
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 10, tag, "z9hG4bKack1"));
        _bench.Receive(UserAgentTestBench.InDialog("INFO", 11, tag, "z9hG4bKinfo1", "Signal=5\nDuration=160", "application/dtmf-relay"));
        Assert.Equal("application/dtmf-relay", type);
        Assert.Equal("Signal=5\r\nDuration=160", body);
    }

    [Fact]
    public void A_reinvite_with_sendonly_puts_us_on_hold_and_sendrecv_resumes()
    {
        var call = AnsweredCall();
        var tag = LocalTag();
        var holds = new List<bool>();
        call.HoldChanged += (_, held) => holds.Add(held);
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 10, tag, "z9hG4bKack1"));
        _bench.Receive(UserAgentTestBench.InDialog("INVITE", 11, tag, "z9hG4bKre1", "v=0\nm=audio 5000 RTP/AVP 0\na=sendonly\n"));
        Assert.True(call.IsHeldByPeer);
        Assert.Contains("a=recvonly", UserAgentTestBench.Body(_bench.Responses(200).Last()), StringComparison.Ordinal);
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 11, tag, "z9hG4bKack2"));
        _bench.Receive(UserAgentTestBench.InDialog("INVITE", 12, tag, "z9hG4bKre2", "v=0\nm=audio 5000 RTP/AVP 0\na=sendrecv\n"));
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 12, tag, "z9hG4bKack3"));
        Assert.Equal([true, false], holds);
        Assert.Equal(CallState.Established, call.State);
    }

    [Fact]
    public void A_reinvite_while_ours_is_pending_gets_491()
    {
        var call = AnsweredCall();
        var tag = LocalTag();
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 10, tag, "z9hG4bKack1"));
        call.Hold(true);
        Assert.Single(_bench.Sent("INVITE"));
        _bench.Receive(UserAgentTestBench.InDialog("INVITE", 11, tag, "z9hG4bKre1", "v=0\nm=audio 5000 RTP/AVP 0\na=sendrecv\n"));
        Assert.Single(_bench.Responses(491));
    }

    [Fact]
    public void Session_timer_asked_by_the_caller_is_granted_and_enforced()
    {
        var call = AnsweredCall("Session-Expires: 120\nSupported: timer");
        var ok = _bench.Responses(200).First();
        Assert.Equal("120;refresher=uac", ok.Headers.Get(SipHeaderNames.SessionExpires));
        Assert.Equal("timer", ok.Headers.Get(SipHeaderNames.Require));
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 10, LocalTag(), "z9hG4bKack1"));

        // RFC 4028 §10: without a refresh, the session ends at interval - min(32, interval/3) = 88 s.
        _bench.Time.StepMs(87_000);
        Assert.Equal(CallState.Established, call.State);
        _bench.Time.StepMs(1_100);
        Assert.Equal(CallEndReason.Timeout, call.EndReason);
        Assert.Single(_bench.Sent("BYE"));
    }

    [Fact]
    public void Local_hangup_sends_bye_in_the_dialog()
    {
        var call = AnsweredCall();
        var tag = LocalTag();
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 10, tag, "z9hG4bKack1"));
        call.Hangup();
        var bye = Assert.Single(_bench.Sent("BYE"));
        Assert.Equal("resident", bye.RequestUri.User);
        Assert.Equal(tag, bye.From!.Parameters.Get("tag"));
        Assert.Equal("res1", bye.To!.Parameters.Get("tag"));
        Assert.Equal(CallEndReason.LocalHangup, call.EndReason);
    }

    [Fact]
    public async Task Info_sent_by_the_callee_goes_in_the_confirmed_dialog()
    {
        var call = AnsweredCall();
        var tag = LocalTag();
        _bench.Receive(UserAgentTestBench.InDialog("ACK", 10, tag, "z9hG4bKack1"));
        var pending = call.SendInfo("application/dtmf-relay", "Signal=1\r\nDuration=160\r\n"u8.ToArray());
        var info = Assert.Single(_bench.Sent("INFO"));
        Assert.Equal(tag, info.From!.Parameters.Get("tag"));
        Assert.Equal("res1", info.To!.Parameters.Get("tag"));
        Assert.Equal("sip:resident@198.51.100.7:5060", info.RequestUri.ToString());
        _bench.Receive(UserAgentTestBench.ResponseTo(info, 200, null));
        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal(200, (await pending).StatusCode);
    }
}

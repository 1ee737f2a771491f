using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transactions;

/// <summary>RFC 3261 figure 5 with RFC 6026 figure 3 (client INVITE transaction).</summary>
public class ClientInviteTransactionTests
{
    [Fact]
    public void Calling_retransmits_on_Timer_A_doubling_without_cap_until_Timer_B_times_out()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.UdpTarget], bench.Client);
        Assert.Equal(TransactionState.Calling, tx.State);
        Assert.Equal(1, bench.SentCount("INVITE"));

        // Timer A: T1, 2T1, 4T1, ... → sends at 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s.
        int[] retransmitAt = [500, 1500, 3500, 7500, 15500, 31500];
        var now = bench.AssertSendsAt(retransmitAt, () => bench.SentCount("INVITE"));

        // Timer B = 64*T1 = 32 s.
        bench.StepMs(32000 - 1 - now);
        Assert.Empty(bench.Client.Events);
        bench.StepMs(1);
        Assert.Equal(["timeout"], bench.Client.Events);
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(0, bench.Layer.ClientTransactionCount);
        Assert.Equal(7, bench.SentCount("INVITE"));
    }

    [Fact]
    public void Reliable_transport_never_retransmits_and_Timer_B_still_times_out()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.TcpTarget], bench.Client);
        bench.StepMs(31999);
        Assert.Equal(1, bench.SentCount("INVITE"));
        Assert.Equal(TransactionState.Calling, tx.State);
        bench.StepMs(1);
        Assert.Equal(["timeout"], bench.Client.Events);
        Assert.Equal(TransactionState.Terminated, tx.State);
    }

    [Fact]
    public void Provisional_moves_to_Proceeding_stops_Timer_A_and_Timer_B()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.UdpTarget], bench.Client);
        bench.StepMs(500);
        Assert.Equal(2, bench.SentCount("INVITE"));
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 180), FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Equal(TransactionState.Proceeding, tx.State);
        Assert.Equal(["provisional 180"], bench.Client.Events);

        bench.StepMs(60000);
        Assert.Equal(2, bench.SentCount("INVITE"));
        Assert.Equal(TransactionState.Proceeding, tx.State);
        Assert.Equal(["provisional 180"], bench.Client.Events);
    }

    [Fact]
    public void Two_hundred_moves_to_Accepted_passes_every_2xx_up_and_Timer_M_terminates()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.UdpTarget], bench.Client);
        var flow = FakeSipTransport.Flow(SipTransportProtocol.Udp);
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 100), flow);
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 200), flow);
        Assert.Equal(TransactionState.Accepted, tx.State);

        // RFC 6026 §8.4: retransmitted 2xx (and 2xx from another fork) go to the TU, which ACKs each; no ACK from the transaction.
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 200), flow);
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 200, toTag: "fork2"), flow);
        Assert.Equal(["provisional 100", "final 200", "final 200", "final 200"], bench.Client.Events);
        Assert.Equal(0, bench.SentCount("ACK"));

        // Timer M = 64*T1.
        bench.StepMs(31999);
        Assert.Equal(TransactionState.Accepted, tx.State);
        bench.StepMs(1);
        Assert.Equal(TransactionState.Terminated, tx.State);

        // After M the 2xx matches nothing: a stray response for the UA core.
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 200), flow);
        Assert.Single(bench.Core.StrayResponses);
        Assert.Equal(4, bench.Client.Events.Count);
    }

    [Fact]
    public void Non_2xx_final_is_ACKed_by_the_transaction_retransmissions_reACKed_and_Timer_D_terminates()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE", cseq: 7), [TransactionTestBench.UdpTarget], bench.Client);
        var flow = FakeSipTransport.Flow(SipTransportProtocol.Udp);
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 486), flow);

        Assert.Equal(TransactionState.Completed, tx.State);
        Assert.Equal(["final 486"], bench.Client.Events);
        var ack = Assert.Single(bench.Transport.SentRequests, r => r.Method == SipMethods.Ack);

        // §17.1.1.3: same Request-URI, Call-ID, From, top Via (branch); To from the response; CSeq number with ACK.
        Assert.Equal(tx.Request.RequestUri, ack.RequestUri);
        Assert.Equal(tx.Branch, ack.TopVia!.Branch);
        Assert.Single(ack.Vias);
        Assert.Equal("callee9", ack.To!.Tag);
        Assert.Equal("caller1", ack.From!.Tag);
        Assert.Equal(new SipCSeq(7, SipMethods.Ack), ack.CSeq);
        Assert.Equal(tx.Request.CallId, ack.CallId);

        // A retransmitted 486 gets the ACK again and is not passed up.
        bench.StepMs(1000);
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 486), flow);
        Assert.Equal(2, bench.SentCount("ACK"));
        Assert.Equal(["final 486"], bench.Client.Events);
        Assert.Equal(1, bench.SentCount("INVITE"));

        // Timer D = 32 s over UDP.
        bench.StepMs(30999);
        Assert.Equal(TransactionState.Completed, tx.State);
        bench.StepMs(1);
        Assert.Equal(TransactionState.Terminated, tx.State);
    }

    [Fact]
    public void Non_2xx_final_over_a_reliable_transport_terminates_at_once_Timer_D_is_zero()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.TcpTarget], bench.Client);
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 603), FakeSipTransport.Flow(SipTransportProtocol.Tcp));
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(1, bench.SentCount("ACK"));
        Assert.Equal(["final 603"], bench.Client.Events);
    }

    [Fact]
    public void Transport_error_in_Calling_terminates_and_reports_to_the_TU()
    {
        using var bench = new TransactionTestBench();
        bench.Transport.FailSends = SipTransportError.ConnectFailed;
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.TcpTarget], bench.Client);
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(["transport-error ConnectFailed"], bench.Client.Events);
        Assert.Equal(0, bench.Layer.ClientTransactionCount);
    }

    [Fact]
    public void Transport_error_fails_over_to_the_next_destination_with_a_new_branch()
    {
        using var bench = new TransactionTestBench();
        bench.Transport.FailingDestinations[TransactionTestBench.TcpTarget] = SipTransportError.ConnectFailed;
        var first = bench.Layer.SendRequest(
            TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.TcpTarget, TransactionTestBench.SecondTarget], bench.Client);

        Assert.Empty(bench.Client.Events);
        var second = first.ContinuedBy;
        Assert.NotNull(second);
        Assert.Same(second, first.Current);
        Assert.NotEqual(first.Branch, second.Branch);
        Assert.Equal(TransactionTestBench.SecondTarget, second.Destination);
        Assert.Equal("UDP", second.Request.TopVia!.Transport);

        bench.Transport.Receive(bench.ResponseTo(second.Request, 200), FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Equal(["final 200"], bench.Client.Events);
        Assert.Same(second, bench.Client.LastTransaction);
    }

    [Fact]
    public void A_503_is_ACKed_and_fails_over_while_the_last_destination_reports_it()
    {
        using var bench = new TransactionTestBench();
        var flow = FakeSipTransport.Flow(SipTransportProtocol.Udp);
        var first = bench.Layer.SendRequest(
            TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.UdpTarget, TransactionTestBench.SecondTarget], bench.Client);
        bench.Transport.Receive(bench.ResponseTo(first.Request, 503), flow);
        Assert.Equal(1, bench.SentCount("ACK"));
        Assert.Empty(bench.Client.Events);
        var second = first.ContinuedBy!;
        Assert.Equal(TransactionState.Calling, second.State);

        bench.Transport.Receive(bench.ResponseTo(second.Request, 503), flow);
        Assert.Equal(["final 503"], bench.Client.Events);
        Assert.Equal(2, bench.SentCount("ACK"));
    }

    [Fact]
    public void Timer_B_fails_over_to_the_next_destination()
    {
        using var bench = new TransactionTestBench();
        var first = bench.Layer.SendRequest(
            TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.UdpTarget, TransactionTestBench.SecondTarget], bench.Client);
        bench.StepMs(32000);
        Assert.Empty(bench.Client.Events);
        Assert.Equal(TransactionTestBench.SecondTarget, first.Current.Destination);
        bench.StepMs(32000);
        Assert.Equal(["timeout"], bench.Client.Events);
    }

    [Fact]
    public void Cancel_waits_for_a_provisional_then_sends_CANCEL_with_the_INVITE_branch()
    {
        using var bench = new TransactionTestBench();
        var invite = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE", cseq: 3), [TransactionTestBench.UdpTarget], bench.Client);
        var cancelUser = new RecordingClientUser();
        Assert.True(bench.Layer.Cancel(invite, cancelUser));

        // §9.1: no CANCEL before a provisional response.
        Assert.Equal(0, bench.SentCount("CANCEL"));
        var flow = FakeSipTransport.Flow(SipTransportProtocol.Udp);
        bench.Transport.Receive(bench.ResponseTo(invite.Request, 180), flow);
        var cancel = Assert.Single(bench.Transport.SentRequests, r => r.Method == SipMethods.Cancel);
        Assert.Equal(invite.Branch, cancel.TopVia!.Branch);
        Assert.Equal(new SipCSeq(3, SipMethods.Cancel), cancel.CSeq);
        Assert.Equal(invite.Request.RequestUri, cancel.RequestUri);
        Assert.Null(cancel.To!.Tag);

        // The CANCEL's 200 goes to its own transaction; the INVITE's 487 to the INVITE's.
        bench.Transport.Receive(bench.ResponseTo(cancel, 200), flow);
        bench.Transport.Receive(bench.ResponseTo(invite.Request, 487), flow);
        Assert.Equal(["final 200"], cancelUser.Events);
        Assert.Equal(["provisional 180", "final 487"], bench.Client.Events);
        Assert.False(bench.Layer.Cancel(invite, cancelUser));
    }

    [Fact]
    public void A_response_with_two_Vias_is_dropped()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.UdpTarget], bench.Client);
        var text = bench.ResponseTo(tx.Request, 200).Replace("Via: ", "Via: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bKother\r\nVia: ", StringComparison.Ordinal);
        bench.Transport.Receive(text, FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Empty(bench.Client.Events);
        Assert.Equal(1, bench.Layer.MisroutedResponses);
    }

    [Fact]
    public void The_layer_writes_the_top_Via_with_a_magic_cookie_branch_and_rport()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("INVITE"), [TransactionTestBench.UdpTarget], bench.Client);
        var sent = bench.Transport.SentRequests.Single();
        Assert.StartsWith(SipVia.MagicCookie, sent.TopVia!.Branch, StringComparison.Ordinal);
        Assert.True(sent.TopVia.HasRport);
        Assert.Equal(tx.Branch, sent.TopVia.Branch);
    }
}

using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transactions;

/// <summary>RFC 3261 figure 7 with RFC 6026 figure 5 (server INVITE transaction).</summary>
public class ServerInviteTransactionTests
{
    private const string Branch = "z9hG4bKinv1";

    private static ServerTransaction ReceiveInvite(TransactionTestBench bench, SipTransportProtocol protocol = SipTransportProtocol.Udp)
    {
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("INVITE", Branch), FakeSipTransport.Flow(protocol));
        return Assert.Single(bench.Core.Requests).Transaction;
    }

    private static SipResponse Response(ServerTransaction tx, int status) => SipResponseFactory.Create(tx.Request, status, toTag: "door1");

    [Fact]
    public void Hundred_Trying_is_sent_after_200_ms_without_a_TU_response_and_resent_for_retransmissions()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench);
        Assert.Equal(TransactionState.Proceeding, tx.State);
        bench.StepMs(199);
        Assert.Equal(0, bench.SentResponses(100));
        bench.StepMs(1);
        Assert.Equal(1, bench.SentResponses(100));
        Assert.Null(bench.Transport.SentResponses.Single().To!.Tag);

        // A retransmitted INVITE is absorbed: the last provisional is re-sent, the TU sees nothing.
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("INVITE", Branch), FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Equal(2, bench.SentResponses(100));
        Assert.Single(bench.Core.Requests);
    }

    [Fact]
    public void A_TU_provisional_within_200_ms_suppresses_100_Trying()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench);
        bench.StepMs(50);
        Assert.True(tx.Respond(Response(tx, 180)));
        bench.StepMs(1000);
        Assert.Equal(0, bench.SentResponses(100));
        Assert.Equal(1, bench.SentResponses(180));
    }

    [Fact]
    public void Non_2xx_final_is_retransmitted_on_Timer_G_up_to_T2_until_Timer_H_reports_no_ACK()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench);
        Assert.True(tx.Respond(Response(tx, 486)));
        Assert.Equal(TransactionState.Completed, tx.State);
        Assert.Equal(1, bench.SentResponses(486));

        // G: 500, 1000, 2000, 4000, 4000, ...
        int[] retransmitAt = [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500];
        var now = bench.AssertSendsAt(retransmitAt, () => bench.SentResponses(486));

        // H = 64*T1.
        bench.StepMs(32000 - 1 - now);
        Assert.Empty(bench.Core.Failures);
        bench.StepMs(1);
        Assert.Equal(ServerTransactionFailure.AckTimeout, Assert.Single(bench.Core.Failures).Failure);
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(0, bench.Layer.ServerTransactionCount);
    }

    [Fact]
    public void ACK_moves_Completed_to_Confirmed_stops_G_and_Timer_I_terminates_after_T4()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench);
        tx.Respond(Response(tx, 404));
        bench.StepMs(500);
        Assert.Equal(2, bench.SentResponses(404));

        var flow = FakeSipTransport.Flow(SipTransportProtocol.Udp);
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("ACK", Branch, toTag: "door1"), flow);
        Assert.Equal(TransactionState.Confirmed, tx.State);
        Assert.Empty(bench.Core.Acks);

        // A retransmitted ACK is absorbed too; no more 404s; a retransmitted INVITE gets nothing in Confirmed.
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("ACK", Branch, toTag: "door1"), flow);
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("INVITE", Branch), flow);
        bench.StepMs(4999);
        Assert.Equal(2, bench.SentResponses(404));
        Assert.Equal(TransactionState.Confirmed, tx.State);
        bench.StepMs(1);
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Empty(bench.Core.Acks);
        Assert.Empty(bench.Core.Failures);
    }

    [Fact]
    public void Retransmitted_INVITE_in_Completed_gets_the_final_response_again()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench);
        tx.Respond(Response(tx, 480));
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("INVITE", Branch), FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Equal(2, bench.SentResponses(480));
        Assert.Single(bench.Core.Requests);
    }

    [Fact]
    public void Reliable_transport_has_no_Timer_G_Timer_I_is_zero_and_Timer_H_still_runs()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench, SipTransportProtocol.Tcp);
        tx.Respond(Response(tx, 486));
        bench.StepMs(31999);
        Assert.Equal(1, bench.SentResponses(486));
        Assert.Equal(TransactionState.Completed, tx.State);
        bench.StepMs(1);
        Assert.Equal(ServerTransactionFailure.AckTimeout, Assert.Single(bench.Core.Failures).Failure);

        var second = new TransactionTestBench();
        using (second)
        {
            second.Transport.Receive(TransactionTestBench.IncomingRequest("INVITE", "z9hG4bKtcp2"), FakeSipTransport.Flow(SipTransportProtocol.Tcp));
            var tcpTx = second.Core.Requests.Single().Transaction;
            tcpTx.Respond(Response(tcpTx, 486));
            second.Transport.Receive(TransactionTestBench.IncomingRequest("ACK", "z9hG4bKtcp2", toTag: "door1"), FakeSipTransport.Flow(SipTransportProtocol.Tcp));
            Assert.Equal(TransactionState.Terminated, tcpTx.State);
        }
    }

    [Fact]
    public void Two_hundred_moves_to_Accepted_absorbs_retransmitted_INVITEs_sends_TU_retransmissions_and_Timer_L_terminates()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench);
        var ok = Response(tx, 200);
        Assert.True(tx.Respond(ok));
        Assert.Equal(TransactionState.Accepted, tx.State);

        // RFC 6026 §7.1: the INVITE retransmission is absorbed (the TU retransmits the 2xx itself, §13.3.1.4).
        var flow = FakeSipTransport.Flow(SipTransportProtocol.Udp);
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("INVITE", Branch), flow);
        Assert.Equal(1, bench.SentResponses(200));
        Assert.True(tx.Respond(ok));
        Assert.Equal(2, bench.SentResponses(200));
        Assert.False(tx.Respond(Response(tx, 486)));

        // No transaction timer retransmits the 2xx.
        bench.StepMs(31999);
        Assert.Equal(2, bench.SentResponses(200));
        Assert.Equal(TransactionState.Accepted, tx.State);
        bench.StepMs(1);
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Empty(bench.Core.Failures);
    }

    [Fact]
    public void ACK_for_2xx_with_its_own_branch_goes_to_the_UA_core()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench);
        tx.Respond(Response(tx, 200));
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("ACK", "z9hG4bKack2", toTag: "door1"), FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Single(bench.Core.Acks);
        Assert.Equal(TransactionState.Accepted, tx.State);
    }

    [Fact]
    public void ACK_matching_the_transaction_in_Accepted_is_passed_to_the_TU()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench);
        tx.Respond(Response(tx, 200));
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("ACK", Branch, toTag: "door1"), FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Single(bench.Core.Acks);
    }

    [Fact]
    public void CANCEL_gets_its_own_transaction_pointing_at_the_INVITE_it_cancels()
    {
        using var bench = new TransactionTestBench();
        var invite = ReceiveInvite(bench);
        invite.Respond(Response(invite, 180));
        var flow = FakeSipTransport.Flow(SipTransportProtocol.Udp);
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("CANCEL", Branch), flow);
        var (cancelTx, cancel) = bench.Core.Requests[1];
        Assert.Equal(SipMethods.Cancel, cancel.Method);
        Assert.NotSame(invite, cancelTx);
        Assert.Same(invite, cancelTx.CancelTarget);

        // A CANCEL for an unknown branch matches nothing (the UA core answers 481).
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("CANCEL", "z9hG4bKunknown"), flow);
        Assert.Null(bench.Core.Requests[2].Transaction.CancelTarget);
    }

    [Fact]
    public void A_transport_error_sending_the_response_terminates_and_tells_the_UA_core()
    {
        using var bench = new TransactionTestBench();
        var tx = ReceiveInvite(bench, SipTransportProtocol.Tcp);
        bench.Transport.FailSends = SipTransportError.ConnectionClosed;
        tx.Respond(Response(tx, 200));
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(ServerTransactionFailure.TransportError, Assert.Single(bench.Core.Failures).Failure);
    }

    [Fact]
    public void RFC_2543_INVITE_without_magic_cookie_matches_retransmissions_and_its_ACK_by_To_tag()
    {
        using var bench = new TransactionTestBench();
        var flow = FakeSipTransport.Flow(SipTransportProtocol.Udp);
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("INVITE", string.Empty), flow);
        var tx = Assert.Single(bench.Core.Requests).Transaction;
        tx.Respond(Response(tx, 486));

        bench.Transport.Receive(TransactionTestBench.IncomingRequest("INVITE", string.Empty), flow);
        Assert.Single(bench.Core.Requests);
        Assert.Equal(2, bench.SentResponses(486));

        // An ACK with another To tag is not for this transaction.
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("ACK", string.Empty, toTag: "someone-else"), flow);
        Assert.Equal(TransactionState.Completed, tx.State);
        Assert.Single(bench.Core.Acks);

        bench.Transport.Receive(TransactionTestBench.IncomingRequest("ACK", string.Empty, toTag: "door1"), flow);
        Assert.Equal(TransactionState.Confirmed, tx.State);
    }
}

using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transactions;

/// <summary>RFC 3261 figure 6 (client non-INVITE transaction).</summary>
public class ClientNonInviteTransactionTests
{
    [Fact]
    public void Trying_retransmits_on_Timer_E_doubling_up_to_T2_until_Timer_F_times_out()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("OPTIONS"), [TransactionTestBench.UdpTarget], bench.Client);
        Assert.Equal(TransactionState.Trying, tx.State);

        // E: 500, 1000, 2000, then 4000 (T2) each time.
        int[] retransmitAt = [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500];
        var now = bench.AssertSendsAt(retransmitAt, () => bench.SentCount("OPTIONS"));

        bench.StepMs(32000 - 1 - now);
        Assert.Empty(bench.Client.Events);
        bench.StepMs(1);
        Assert.Equal(["timeout"], bench.Client.Events);
        Assert.Equal(TransactionState.Terminated, tx.State);
    }

    [Fact]
    public void Proceeding_retransmits_every_T2_and_Timer_F_still_runs()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("REGISTER"), [TransactionTestBench.UdpTarget], bench.Client);
        bench.StepMs(500);
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 100), FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Equal(TransactionState.Proceeding, tx.State);
        Assert.Equal(2, bench.SentCount("REGISTER"));

        // The next E was armed at 1000 ms in Trying (fires at 1500); from then on every T2.
        bench.StepMs(1000);
        Assert.Equal(3, bench.SentCount("REGISTER"));
        bench.StepMs(3999);
        Assert.Equal(3, bench.SentCount("REGISTER"));
        bench.StepMs(1);
        Assert.Equal(4, bench.SentCount("REGISTER"));

        bench.StepMs(32000 - 5500);
        Assert.Equal(["provisional 100", "timeout"], bench.Client.Events);
    }

    [Fact]
    public void Final_moves_to_Completed_absorbs_retransmissions_and_Timer_K_terminates_after_T4()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("OPTIONS"), [TransactionTestBench.UdpTarget], bench.Client);
        var flow = FakeSipTransport.Flow(SipTransportProtocol.Udp);
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 200), flow);
        Assert.Equal(TransactionState.Completed, tx.State);
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 200), flow);
        Assert.Equal(["final 200"], bench.Client.Events);

        // No more retransmissions in Completed.
        bench.StepMs(4999);
        Assert.Equal(1, bench.SentCount("OPTIONS"));
        Assert.Equal(TransactionState.Completed, tx.State);
        bench.StepMs(1);
        Assert.Equal(TransactionState.Terminated, tx.State);
    }

    [Fact]
    public void Reliable_transport_has_no_Timer_E_and_Timer_K_is_zero()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("OPTIONS"), [TransactionTestBench.TcpTarget], bench.Client);
        bench.StepMs(10000);
        Assert.Equal(1, bench.SentCount("OPTIONS"));
        bench.Transport.Receive(bench.ResponseTo(tx.Request, 404), FakeSipTransport.Flow(SipTransportProtocol.Tcp));
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(["final 404"], bench.Client.Events);
    }

    [Fact]
    public void Reliable_transport_Timer_F_times_out()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("OPTIONS"), [TransactionTestBench.TcpTarget], bench.Client);
        bench.StepMs(31999);
        Assert.Equal(TransactionState.Trying, tx.State);
        bench.StepMs(1);
        Assert.Equal(["timeout"], bench.Client.Events);
    }

    [Fact]
    public void Transport_error_in_Trying_terminates_with_an_error_to_the_TU()
    {
        using var bench = new TransactionTestBench();
        bench.Transport.FailSends = SipTransportError.SendFailed;
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("OPTIONS"), [TransactionTestBench.UdpTarget], bench.Client);
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(["transport-error SendFailed"], bench.Client.Events);
    }

    [Fact]
    public void A_503_fails_over_to_the_next_destination()
    {
        using var bench = new TransactionTestBench();
        var first = bench.Layer.SendRequest(
            TransactionTestBench.NewRequest("REGISTER"), [TransactionTestBench.UdpTarget, TransactionTestBench.SecondTarget], bench.Client);
        bench.Transport.Receive(bench.ResponseTo(first.Request, 503), FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Empty(bench.Client.Events);
        var second = first.ContinuedBy!;
        Assert.Equal(TransactionTestBench.SecondTarget, second.Destination);
        bench.Transport.Receive(bench.ResponseTo(second.Request, 200), FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Equal(["final 200"], bench.Client.Events);
    }

    [Fact]
    public void A_response_for_another_method_with_the_same_branch_does_not_match()
    {
        using var bench = new TransactionTestBench();
        var tx = bench.Layer.SendRequest(TransactionTestBench.NewRequest("OPTIONS"), [TransactionTestBench.UdpTarget], bench.Client);
        var text = bench.ResponseTo(tx.Request, 200).Replace("1 OPTIONS", "1 INFO", StringComparison.Ordinal);
        bench.Transport.Receive(text, FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Empty(bench.Client.Events);
        Assert.Single(bench.Core.StrayResponses);
    }

    [Fact]
    public void A_request_over_1300_bytes_goes_over_TCP_first_and_back_to_UDP_if_TCP_fails()
    {
        using var bench = new TransactionTestBench();
        var request = TransactionTestBench.NewRequest("MESSAGE");
        request.Headers.Add("Content-Type", "text/plain");
        request.Body = new byte[1400];
        var tcp = TransactionTestBench.UdpTarget with { Protocol = SipTransportProtocol.Tcp };
        bench.Transport.FailingDestinations[tcp] = SipTransportError.ConnectFailed;

        var first = bench.Layer.SendRequest(request, [TransactionTestBench.UdpTarget], bench.Client);

        Assert.Equal(tcp, first.Destination);
        Assert.Equal("TCP", first.Request.TopVia!.Transport);
        var retry = first.ContinuedBy!;
        Assert.Equal(TransactionTestBench.UdpTarget, retry.Destination);
        Assert.Equal("UDP", retry.Request.TopVia!.Transport);
        Assert.Equal(2, bench.SentCount("MESSAGE"));

        var small = bench.Layer.SendRequest(TransactionTestBench.NewRequest("OPTIONS"), [TransactionTestBench.UdpTarget], bench.Client);
        Assert.Equal(TransactionTestBench.UdpTarget, small.Destination);
    }
}

using Intercom.Sip.Messages;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transactions;

/// <summary>RFC 3261 figure 8 (server non-INVITE transaction).</summary>
public class ServerNonInviteTransactionTests
{
    private const string Branch = "z9hG4bKopt1";

    private static ServerTransaction Receive(TransactionTestBench bench, SipTransportProtocol protocol = SipTransportProtocol.Udp)
    {
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("OPTIONS", Branch), FakeSipTransport.Flow(protocol));
        return Assert.Single(bench.Core.Requests).Transaction;
    }

    private static void Retransmit(TransactionTestBench bench) =>
        bench.Transport.Receive(TransactionTestBench.IncomingRequest("OPTIONS", Branch), FakeSipTransport.Flow(SipTransportProtocol.Udp));

    [Fact]
    public void Trying_absorbs_retransmissions_silently()
    {
        using var bench = new TransactionTestBench();
        var tx = Receive(bench);
        Assert.Equal(TransactionState.Trying, tx.State);
        Retransmit(bench);
        bench.StepMs(1000);
        Assert.Empty(bench.Transport.SentMessages);
        Assert.Single(bench.Core.Requests);
    }

    [Fact]
    public void Proceeding_resends_the_last_provisional_for_each_retransmission()
    {
        using var bench = new TransactionTestBench();
        var tx = Receive(bench);
        Assert.True(tx.Respond(SipResponseFactory.Create(tx.Request, 183)));
        Assert.Equal(TransactionState.Proceeding, tx.State);
        Retransmit(bench);
        Assert.Equal(2, bench.SentResponses(183));
    }

    [Fact]
    public void Completed_resends_the_final_for_retransmissions_refuses_another_final_and_Timer_J_terminates()
    {
        using var bench = new TransactionTestBench();
        var tx = Receive(bench);
        Assert.True(tx.Respond(SipResponseFactory.Create(tx.Request, 200, toTag: "door1")));
        Assert.Equal(TransactionState.Completed, tx.State);
        Retransmit(bench);
        Assert.Equal(2, bench.SentResponses(200));
        Assert.False(tx.Respond(SipResponseFactory.Create(tx.Request, 500)));

        // J = 64*T1 over UDP; no retransmission of its own.
        bench.StepMs(31999);
        Assert.Equal(2, bench.SentResponses(200));
        Assert.Equal(TransactionState.Completed, tx.State);
        bench.StepMs(1);
        Assert.Equal(TransactionState.Terminated, tx.State);

        // After J the same branch is a new request.
        Retransmit(bench);
        Assert.Equal(2, bench.Core.Requests.Count);
    }

    [Fact]
    public void Reliable_transport_Timer_J_is_zero()
    {
        using var bench = new TransactionTestBench();
        var tx = Receive(bench, SipTransportProtocol.Tcp);
        tx.Respond(SipResponseFactory.Create(tx.Request, 200, toTag: "door1"));
        Assert.Equal(TransactionState.Terminated, tx.State);
        Assert.Equal(0, bench.Layer.ServerTransactionCount);
    }

    [Fact]
    public void Responses_go_back_over_the_request_flow()
    {
        using var bench = new TransactionTestBench();
        var tx = Receive(bench);
        tx.Respond(SipResponseFactory.Create(tx.Request, 200, toTag: "door1"));
        Assert.Same(tx.Flow, bench.Transport.SentMessages.Single().Flow);
    }

    [Fact]
    public void Same_branch_from_another_sent_by_is_another_transaction()
    {
        using var bench = new TransactionTestBench();
        Receive(bench);
        var other = TransactionTestBench.IncomingRequest("OPTIONS", Branch).Replace("198.51.100.7:5060", "198.51.100.9:5060", StringComparison.Ordinal);
        bench.Transport.Receive(other, FakeSipTransport.Flow(SipTransportProtocol.Udp));
        Assert.Equal(2, bench.Core.Requests.Count);
    }
}

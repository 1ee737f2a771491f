using System.Net;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Tests.Core;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Sip.Tests.Transactions;

/// <summary>A transaction layer on a caller-thread loop, a fake clock and a fake transport.</summary>
internal sealed class TransactionTestBench : IDisposable
{
    public static readonly SipDestination UdpTarget = new(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Parse("198.51.100.7"), 5060));
    public static readonly SipDestination TcpTarget = new(SipTransportProtocol.Tcp, new IPEndPoint(IPAddress.Parse("198.51.100.7"), 5060));
    public static readonly SipDestination SecondTarget = new(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Parse("198.51.100.8"), 5060));

    public TransactionTestBench()
    {
        Loop = new SipLoop(Time, SipLoopMode.CallerThread);
        Transport = new FakeSipTransport(Loop);
        Layer = new TransactionLayer(Loop, Transport, Core);
    }

    public FakeTimeProvider Time { get; } = new();

    public SipLoop Loop { get; }

    public FakeSipTransport Transport { get; }

    public TransactionLayer Layer { get; }

    public RecordingTransactionUser Core { get; } = new();

    public RecordingClientUser Client { get; } = new();

    public static SipRequest NewRequest(string method, uint cseq = 1) =>
        (SipRequest)FakeSipTransport.Parse(
            $"""
            {method} sip:door@192.0.2.1 SIP/2.0
            Max-Forwards: 70
            From: <sip:resident@example.com>;tag=caller1
            To: <sip:door@example.com>
            Call-ID: call-1@example.com
            CSeq: {cseq} {method}
            Content-Length: 0


            """);

    /// <summary>A response to the last request sent, as the peer would send it.</summary>
    public string ResponseTo(SipRequest request, int status, string toTag = "callee9")
    {
        var via = request.Headers.Get(SipHeaderNames.Via);
        var to = status == 100 ? "<sip:door@example.com>" : $"<sip:door@example.com>;tag={toTag}";
        return $"""
            SIP/2.0 {status} Whatever
            Via: {via}
            From: <sip:resident@example.com>;tag=caller1
            To: {to}
            Call-ID: {request.CallId}
            CSeq: {request.CSeq!.Value.Number} {request.CSeq!.Value.Method}
            Content-Length: 0


            """;
    }

    /// <summary>A request from a peer, with a given branch (RFC 2543 peers use none).</summary>
    public static string IncomingRequest(string method, string branch, uint cseq = 1, string cseqMethod = "", string toTag = "")
    {
        var branchParam = branch.Length == 0 ? string.Empty : ";branch=" + branch;
        var to = toTag.Length == 0 ? "<sip:door@example.com>" : "<sip:door@example.com>;tag=" + toTag;
        return $"""
            {method} sip:door@192.0.2.1 SIP/2.0
            Via: SIP/2.0/UDP 198.51.100.7:5060{branchParam}
            Max-Forwards: 70
            From: <sip:resident@example.com>;tag=remote1
            To: {to}
            Call-ID: incoming-1@example.com
            CSeq: {cseq} {(cseqMethod.Length == 0 ? method : cseqMethod)}
            Content-Length: 0


            """;
    }

    public int SentCount(string method) => Transport.SentRequests.Count(r => r.Method == method);

    public int SentResponses(int status) => Transport.SentResponses.Count(r => r.StatusCode == status);

    public void StepMs(int milliseconds) => Time.StepMs(milliseconds);

    /// <summary>
    /// Steps the clock through each time in <paramref name="sendTimesMs"/> (milliseconds from now) and checks that
    /// <paramref name="count"/> grows by one exactly at each, not a millisecond before. Returns the last time.
    /// </summary>
    public int AssertSendsAt(int[] sendTimesMs, Func<int> count)
    {
        var now = 0;
        var before = count();
        for (var i = 0; i < sendTimesMs.Length; i++)
        {
            StepMs(sendTimesMs[i] - 1 - now);
            Assert.Equal(before + i, count());
            StepMs(1);
            Assert.Equal(before + i + 1, count());
            now = sendTimesMs[i];
        }

        return now;
    }

    public void Dispose() => Loop.Dispose();
}

using System.Text;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Tests.Transactions;
using Intercom.Sip.Transactions;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>A user agent on a caller-thread loop, a fake clock and a fake transport; the test plays the far end.</summary>
internal sealed class UserAgentTestBench : IDisposable
{
    public UserAgentTestBench(SipUserAgentOptions? options = null)
    {
        Loop = new SipLoop(Time, SipLoopMode.CallerThread);
        Transport = new FakeSipTransport(Loop);
        Layer = new TransactionLayer(Loop, Transport, null);
        Agent = new SipUserAgent(Layer, options ?? new SipUserAgentOptions { ContactUser = "door" });
        Agent.IncomingCall += call =>
        {
            IncomingCalls.Add(call);
            OnIncoming?.Invoke(call);
        };
    }

    public FakeTimeProvider Time { get; } = new();

    public SipLoop Loop { get; }

    public FakeSipTransport Transport { get; }

    public TransactionLayer Layer { get; }

    public SipUserAgent Agent { get; }

    public List<SipCall> IncomingCalls { get; } = [];

    public Action<SipCall>? OnIncoming { get; set; }

    public SipFlow Udp { get; } = FakeSipTransport.Flow(SipTransportProtocol.Udp);

    public void Receive(string text) => Transport.Receive(text, Udp);

    public IEnumerable<SipRequest> Sent(string method) => Transport.SentRequests.Where(r => r.Method == method);

    public IEnumerable<SipResponse> Responses(int status) => Transport.SentResponses.Where(r => r.StatusCode == status);

    public static string Body(SipMessage message) => Encoding.UTF8.GetString(message.Body.Span);

    /// <summary>An INVITE from the resident's phone (198.51.100.7) to the door.</summary>
    public static string Invite(string branch = "z9hG4bKinv1", string extraHeaders = "", string sdp = "v=0\r\nm=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n")
    {
        var headers = extraHeaders.Length > 0 ? extraHeaders.TrimEnd() + "\n" : "";
        return $"""
            INVITE sip:door@192.0.2.1 SIP/2.0
            Via: SIP/2.0/UDP 198.51.100.7:5060;branch={branch}
            Max-Forwards: 70
            From: "Resident" <sip:resident@example.com>;tag=res1
            To: <sip:door@example.com>
            Call-ID: in-call-1@example.com
            CSeq: 10 INVITE
            Contact: <sip:resident@198.51.100.7:5060>
            {headers}Content-Type: application/sdp
            Content-Length: {sdp.Length}

            {sdp}
            """;
    }

    /// <summary>An in-dialog request from the resident to the door's dialog.</summary>
    public static string InDialog(string method, uint cseq, string toTag, string branch, string body = "", string contentType = "application/sdp") => $"""
        {method} sip:door@192.0.2.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 198.51.100.7:5060;branch={branch}
        Max-Forwards: 70
        From: "Resident" <sip:resident@example.com>;tag=res1
        To: <sip:door@example.com>;tag={toTag}
        Call-ID: in-call-1@example.com
        CSeq: {cseq} {method}
        Contact: <sip:resident@198.51.100.7:5060>
        {(body.Length > 0 ? $"Content-Type: {contentType}\n" : "")}Content-Length: {Encoding.UTF8.GetByteCount(body.ReplaceLineEndings("\r\n"))}

        {body}
        """;

    /// <summary>A response from the far end to a request the door sent.</summary>
    public static string ResponseTo(SipRequest request, int status, string? toTag, string extraHeaders = "", string body = "")
    {
        var via = request.Headers.Get(SipHeaderNames.Via);
        var to = toTag is null ? request.Headers.Get(SipHeaderNames.To) : $"{request.Headers.Get(SipHeaderNames.To)};tag={toTag}";
        var headers = extraHeaders.Length > 0 ? extraHeaders.TrimEnd() + "\n" : "";
        var type = body.Length > 0 ? "Content-Type: application/sdp\n" : "";
        return $"""
            SIP/2.0 {status} Status
            Via: {via}
            From: {request.Headers.Get(SipHeaderNames.From)}
            To: {to}
            Call-ID: {request.CallId}
            CSeq: {request.CSeq}
            Contact: <sip:bob@198.51.100.7:5070>
            {headers}{type}Content-Length: {Encoding.UTF8.GetByteCount(body.ReplaceLineEndings("\r\n"))}

            {body}
            """;
    }

    public void Dispose() => Loop.Dispose();
}

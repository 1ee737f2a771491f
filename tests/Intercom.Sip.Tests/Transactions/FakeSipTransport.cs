using System.Net;
using System.Text;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transactions;

/// <summary>A transport that records what the transaction layer sends and lets a test inject what arrives.</summary>
internal sealed class FakeSipTransport : ISipTransport
{
    private readonly SipLoop _loop;
    private ISipTransportUser? _user;

    public FakeSipTransport(SipLoop loop) => _loop = loop;

    public List<Sent> SentMessages { get; } = [];

    /// <summary>When set, every send fails with this error (reported through the loop, as the real layer does).</summary>
    public SipTransportError? FailSends { get; set; }

    /// <summary>Sends to these destinations fail with the given error.</summary>
    public Dictionary<SipDestination, SipTransportError> FailingDestinations { get; } = [];

    public IEnumerable<SipRequest> SentRequests => SentMessages.Select(s => s.Message).OfType<SipRequest>();

    public IEnumerable<SipResponse> SentResponses => SentMessages.Select(s => s.Message).OfType<SipResponse>();

    public void SetUser(ISipTransportUser user) => _user = user;

    public SipVia CreateVia(SipDestination destination, string branch)
    {
        var via = new SipVia(destination.Protocol.ToViaToken(), "192.0.2.1", 5060, branch);
        via.Parameters.Add("rport");
        return via;
    }

    public void SendRequest(SipRequest request, SipDestination destination, ISipTransportErrorHandler? errors)
    {
        SentMessages.Add(new Sent(Reparse(request), destination, null));
        Fail(destination, errors);
    }

    public void SendResponse(SipResponse response, SipFlow? flow, ISipTransportErrorHandler? errors)
    {
        SentMessages.Add(new Sent(Reparse(response), flow?.Destination, flow));
        Fail(flow?.Destination ?? default, errors);
    }

    public void Receive(string text, SipFlow flow)
    {
        var message = Parse(text);
        _loop.Post(() =>
        {
            if (message is SipRequest request)
            {
                _user!.OnRequestReceived(request, flow);
            }
            else
            {
                _user!.OnResponseReceived((SipResponse)message, flow);
            }
        });
    }

    public static SipMessage Parse(string text)
    {
        if (!SipMessageParser.TryParse(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n")), out var message, out var error))
        {
            throw new InvalidOperationException("Test message does not parse: " + error);
        }

        return message;
    }

    public static SipFlow Flow(SipTransportProtocol protocol) =>
        new(protocol, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060), new IPEndPoint(IPAddress.Parse("198.51.100.7"), 5060), null, null);

    // What goes on the wire is what the peer sees: write and parse again so tests check the real bytes.
    private static SipMessage Reparse(SipMessage message)
    {
        var bytes = SipMessageWriter.ToBytes(message);
        return SipMessageParser.TryParse(bytes, out var parsed, out var error)
            ? parsed
            : throw new InvalidOperationException("Sent message does not parse: " + error);
    }

    private void Fail(SipDestination destination, ISipTransportErrorHandler? errors)
    {
        var error = FailSends ?? (FailingDestinations.TryGetValue(destination, out var e) ? e : null);
        if (error is { } failure && errors is not null)
        {
            _loop.Post(() => errors.OnTransportError(destination, failure));
        }
    }

    public readonly record struct Sent(SipMessage Message, SipDestination? Destination, SipFlow? Flow);
}

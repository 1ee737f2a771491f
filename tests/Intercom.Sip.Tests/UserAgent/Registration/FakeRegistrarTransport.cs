using System.Net;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Sip.Tests.UserAgent.Registration;

/// <summary>A transport under the registration client: records what goes out (as the wire carries it) and injects answers.</summary>
internal sealed class FakeRegistrarTransport(SipLoop loop) : ISipTransport, ISipKeepAliveSender
{
    public const string LocalHost = "192.0.2.1";
    public const int LocalPort = 5070;

    private ISipTransportUser? _user;

    public List<(SipRequest Request, SipDestination Destination)> Sent { get; } = [];

    public List<SipDestination> KeepAlives { get; } = [];

    /// <summary>What <see cref="SendKeepAlive"/> answers (false: the flow is gone).</summary>
    public bool FlowAlive { get; set; } = true;

    public void SetUser(ISipTransportUser user) => _user = user;

    public SipVia CreateVia(SipDestination destination, string branch)
    {
        var via = new SipVia(destination.Protocol.ToViaToken(), LocalHost, LocalPort, branch);
        via.Parameters.Add("rport");
        return via;
    }

    public void SendRequest(SipRequest request, SipDestination destination, ISipTransportErrorHandler? errors)
    {
        var bytes = SipMessageWriter.ToBytes(request);
        Assert.True(SipMessageParser.TryParse(bytes, out var parsed, out var error), "sent request does not parse: " + error);
        Sent.Add(((SipRequest)parsed, destination));
    }

    public void SendResponse(SipResponse response, SipFlow? flow, ISipTransportErrorHandler? errors) =>
        throw new InvalidOperationException("the registration client sends no responses");

    public bool SendKeepAlive(SipDestination destination)
    {
        KeepAlives.Add(destination);
        return FlowAlive;
    }

    /// <summary>Flows the client dropped (RFC 5626 §4.4.1: a ping without pong).</summary>
    public List<SipDestination> ClosedFlows { get; } = [];

    public void CloseFlow(SipDestination destination) => ClosedFlows.Add(destination);

    /// <summary>Delivers <paramref name="response"/> as if it came from <paramref name="from"/>.</summary>
    public void Receive(SipResponse response, SipDestination from)
    {
        var bytes = SipMessageWriter.ToBytes(response);
        Assert.True(SipMessageParser.TryParse(bytes, out var parsed, out var error), "response does not parse: " + error);
        var flow = new SipFlow(from.Protocol, new IPEndPoint(IPAddress.Parse(LocalHost), LocalPort), from.EndPoint, null, null);
        loop.Post(() => _user!.OnResponseReceived((SipResponse)parsed, flow));
    }
}

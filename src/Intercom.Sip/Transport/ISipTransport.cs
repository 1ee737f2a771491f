using Intercom.Sip.Messages;

namespace Intercom.Sip.Transport;

/// <summary>
/// What the transaction layer needs from the transport (RFC 3261 §18); implemented by <see cref="SipTransportLayer"/>
/// and faked in tests. Every member is called on the SIP loop.
/// </summary>
public interface ISipTransport
{
    /// <summary>Sets who receives incoming messages.</summary>
    void SetUser(ISipTransportUser user);

    /// <summary>
    /// A Via for a request about to be sent to <paramref name="destination"/>: transport token and sent-by of the
    /// listener that will send it (RFC 3261 §18.1.1), the given branch, and an empty rport (RFC 3581 §3).
    /// </summary>
    SipVia CreateVia(SipDestination destination, string branch);

    /// <summary>Sends a request; failures come back through <paramref name="errors"/> on the loop.</summary>
    void SendRequest(SipRequest request, SipDestination destination, ISipTransportErrorHandler? errors);

    /// <summary>
    /// Sends a response per RFC 3261 §18.2.2 (and RFC 3581 §4): over <paramref name="flow"/> when it is a connection
    /// still open, else to the top Via's received/rport address.
    /// </summary>
    void SendResponse(SipResponse response, SipFlow? flow, ISipTransportErrorHandler? errors);
}

using Intercom.Sip.Messages;

namespace Intercom.Sip.Transport;

/// <summary>The layer above the transport (the transaction layer): receives parsed messages on the SIP loop.</summary>
public interface ISipTransportUser
{
    /// <summary>
    /// A request, with "received" and "rport" already set in its top Via (RFC 3261 §18.2.1, RFC 3581 §4).
    /// </summary>
    void OnRequestReceived(SipRequest request, SipFlow flow);

    /// <summary>A response (RFC 3261 §18.1.2: the transport only checks it parses; matching is the transaction layer's job).</summary>
    void OnResponseReceived(SipResponse response, SipFlow flow);
}

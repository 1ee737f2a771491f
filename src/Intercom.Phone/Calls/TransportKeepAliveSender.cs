using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Registration;

namespace Intercom.Phone;

/// <summary>Registration's RFC 5626 keepalive pings, sent by the transport layer on the account's flow.</summary>
public sealed class TransportKeepAliveSender(SipTransportLayer transport) : ISipKeepAliveSender
{
    public bool SendKeepAlive(SipDestination destination)
    {
        transport.SendKeepAlive(destination);
        return true;
    }

    /// <summary>Closes the flow's connection: its pings went unanswered (RFC 5626 §4.4.1), the next REGISTER opens a new one.</summary>
    public void CloseFlow(SipDestination destination) => transport.CloseConnection(destination);
}

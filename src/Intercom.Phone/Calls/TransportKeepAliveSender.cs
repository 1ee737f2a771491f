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
}

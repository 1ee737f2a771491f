using System.Net;
using Intercom.Sip.Transport;

namespace Intercom.Phone;

/// <summary>A SIP listener the phone opens at start (RFC 3261 §18: UDP, TCP or TLS on an address and port; 0: any free port).</summary>
public sealed record PhoneListener(SipTransportProtocol Protocol, IPEndPoint EndPoint);

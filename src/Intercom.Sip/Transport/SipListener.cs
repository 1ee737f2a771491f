using System.Net;

namespace Intercom.Sip.Transport;

/// <summary>A socket the transport layer listens on.</summary>
/// <param name="Protocol">UDP, TCP or TLS.</param>
/// <param name="LocalEndPoint">The bound address and port (the real port when 0 was asked for).</param>
/// <param name="AdvertisedHost">The host written as Via sent-by and Contact (a public name or address), or null to use the local address.</param>
public sealed record SipListener(SipTransportProtocol Protocol, IPEndPoint LocalEndPoint, string? AdvertisedHost);

using System.Net;

namespace Intercom.Sip.Transport;

/// <summary>
/// Where to send a message: a transport and an IP endpoint (RFC 3263 §4 output), plus for TLS the name the server's
/// certificate must carry (RFC 5922 §4: the domain of the URI, not the SRV target).
/// </summary>
/// <param name="Protocol">The transport to use.</param>
/// <param name="EndPoint">The remote IP address and port.</param>
/// <param name="ServerName">For TLS, the host name to validate and send as SNI; null for numeric targets.</param>
public readonly record struct SipDestination(SipTransportProtocol Protocol, IPEndPoint EndPoint, string? ServerName = null)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Protocol.ToViaToken()}:{EndPoint}";
}

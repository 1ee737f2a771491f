using System.Net;

namespace Intercom.Sip.Transport;

/// <summary>
/// The transport association a message arrived on (RFC 5626 §3: a "flow"): for UDP the local socket and remote address,
/// for TCP/TLS the connection itself. Responses go back over it (RFC 3261 §18.2.2) and outbound keepalives run on it.
/// </summary>
public sealed class SipFlow
{
    internal SipFlow(SipTransportProtocol protocol, IPEndPoint localEndPoint, IPEndPoint remoteEndPoint, SipStreamConnection? connection, SipUdpChannel? channel)
    {
        Protocol = protocol;
        LocalEndPoint = localEndPoint;
        RemoteEndPoint = remoteEndPoint;
        Connection = connection;
        Channel = channel;
    }

    /// <summary>The transport.</summary>
    public SipTransportProtocol Protocol { get; }

    /// <summary>Our address on this flow.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The peer's address: the source IP and port packets came from (RFC 3261 §18.2.1 "received", RFC 3581 "rport").</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>True when the flow is a TCP/TLS connection that has closed; responses then fall back to §18.2.2 addressing.</summary>
    public bool IsClosed => Connection?.IsClosed ?? false;

    /// <summary>The destination that sends back to the peer over this flow.</summary>
    public SipDestination Destination => new(Protocol, RemoteEndPoint, Connection?.ServerName);

    /// <summary>
    /// For a WebSocket the station's own page opened with a logged-in session (RFC 7118 over the web port): that web user;
    /// null for every other flow. It authenticates the flow's REGISTER (a browser phone of that user), nothing else.
    /// </summary>
    public string? WebUser => Connection?.WebUser;

    internal SipStreamConnection? Connection { get; }

    internal SipUdpChannel? Channel { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Protocol.ToViaToken()} {LocalEndPoint} <-> {RemoteEndPoint}";
}

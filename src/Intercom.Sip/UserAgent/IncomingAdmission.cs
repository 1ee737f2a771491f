using System.Net;
using Intercom.Sip.Transport;

namespace Intercom.Sip.UserAgent;

/// <summary>
/// Who may open a dialog with an INVITE, by the address the INVITE came from: the servers the station registers at
/// (asked each time, since registrations and their DNS answers change) and a list of trusted networks. An INVITE from
/// neither is let in only after digest authentication, when that is on, and refused with 403 otherwise — before any
/// header of it (From, To) has been looked at, so a stranger gets the same answer whoever they claim to be.
/// Immutable; the user agent reads it on its loop, the owner swaps the whole object to change it.
/// </summary>
public sealed class IncomingAdmission
{
    private readonly IPNetwork[] _networks;
    private readonly Func<SipFlow, bool>? _fromServer;

    /// <param name="trustedNetworks">Networks whose callers are let in without authentication (IPv4 and IPv6).</param>
    /// <param name="fromServer">True when a flow comes from a server the station registers at; null: no such server.</param>
    public IncomingAdmission(IEnumerable<IPNetwork> trustedNetworks, Func<SipFlow, bool>? fromServer = null)
    {
        ArgumentNullException.ThrowIfNull(trustedNetworks);
        _networks = [.. trustedNetworks];
        _fromServer = fromServer;
    }

    /// <summary>An admission that trusts no source: every caller must authenticate (or is refused).</summary>
    public static IncomingAdmission Nobody { get; } = new([]);

    /// <summary>The trusted networks.</summary>
    public IReadOnlyList<IPNetwork> TrustedNetworks => _networks;

    /// <summary>Where <paramref name="flow"/> comes from, or null when it is no trusted source.</summary>
    public IncomingCallOrigin? Classify(SipFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        if (flow.Protocol.IsWebSocket())
        {
            // A WebSocket is opened by a browser on behalf of whatever page it shows: its source address is the
            // resident's laptop even when the page is an attacker's (cross-site WebSocket hijacking). The Origin check
            // keeps foreign pages out; a trusted network must not let the rest in without a password either. The one
            // exception is the station's own page: its WebSocket was accepted for a logged-in session from the station's
            // own Origin, and carries that web user (SipWebSocketEndpoint).
            return flow.WebUser is null ? null : IncomingCallOrigin.WebPage;
        }

        if (_fromServer is { } fromServer && fromServer(flow))
        {
            return IncomingCallOrigin.Server;
        }

        var address = Normalise(flow.RemoteEndPoint.Address);
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return IncomingCallOrigin.TrustedNetwork;
            }
        }

        return null;
    }

    /// <summary>An IPv4 address seen through a dual-stack socket (::ffff:a.b.c.d) as the IPv4 address it is.</summary>
    public static IPAddress Normalise(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}

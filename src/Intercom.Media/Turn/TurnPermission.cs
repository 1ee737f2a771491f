using System.Net;

namespace Intercom.Media.Turn;

/// <summary>
/// A permission for one peer IP address (RFC 8656 §9: by address, whatever the port): installed by CreatePermission or
/// by a ChannelBind to that address, lasting 300 s, renewed by the allocation before then. Data from an address without
/// one is dropped (§11.4 at the client, §10 at the server).
/// </summary>
internal sealed class TurnPermission(IPAddress address)
{
    public IPAddress Address { get; } = address;

    /// <summary>The server confirmed it (and has not refused a renewal since).</summary>
    public volatile bool Installed;

    /// <summary>The request in flight, if any (under the allocation's lock).</summary>
    public Task? Pending;

    /// <summary>Fires the renewal (under the allocation's lock).</summary>
    public ITimer? Timer;
}

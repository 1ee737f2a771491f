using System.Net;

namespace Intercom.Media.Turn;

/// <summary>
/// A channel number (0x4000–0x4FFF) bound to one peer transport address (RFC 8656 §12): once the server confirms it,
/// data to and from that peer goes as ChannelData (4 bytes of header instead of a 36-byte indication). Bindings last
/// 600 s and are renewed before then; a number is never given to another peer (§12: not within 5 minutes of its end).
/// </summary>
internal sealed class TurnChannel(ushort number, IPEndPoint peer)
{
    public ushort Number { get; } = number;

    public IPEndPoint Peer { get; } = peer;

    /// <summary>The server confirmed the binding: Send uses ChannelData.</summary>
    public volatile bool Bound;

    /// <summary>The ChannelBind in flight, if any (under the allocation's lock).</summary>
    public Task? Pending;

    /// <summary>Fires the renewal (under the allocation's lock).</summary>
    public ITimer? Timer;
}

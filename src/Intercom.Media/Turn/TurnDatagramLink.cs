using System.Net;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>
/// UDP to the server through the caller's socket (RFC 8656 §2: the socket a call's RTP leaves from is the client's
/// transport address, so the relay and the host candidate share it). The server may change once, before the allocation
/// exists, when it answers 300 (Try Alternate).
/// </summary>
internal sealed class TurnDatagramLink(IStunTransport sender, IPEndPoint server) : ITurnServerLink
{
    private volatile IPEndPoint _server = TurnAddress.Normalise(server);

    public IPEndPoint Server => _server;

    public TurnTransport Transport => TurnTransport.Udp;

    public bool Send(ReadOnlySpan<byte> message) => sender.SendStun(message, _server);

    public void Redirect(IPEndPoint server) => _server = TurnAddress.Normalise(server);

    public void Dispose()
    {
        // The socket is the caller's.
    }
}

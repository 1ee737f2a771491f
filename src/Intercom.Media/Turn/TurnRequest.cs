using System.Net;
using Intercom.Media.Nat;

namespace Intercom.Media.Turn;

/// <summary>
/// What one TURN request carries besides its credentials (RFC 8656 §7.1 Allocate, §8 Refresh, §9.1 CreatePermission,
/// §12.1 ChannelBind); written afresh, with a new transaction id, for each retry after a 401 or 438.
/// </summary>
internal sealed class TurnRequest
{
    /// <summary>Room for the longest request: USERNAME (513), REALM and NONCE (763 each), the algorithms and the rest.</summary>
    public const int MaxLength = 4096;

    private const byte Udp = 17;

    private TurnRequest(StunMethod method) => Method = method;

    public StunMethod Method { get; }

    public uint? Lifetime { get; private init; }

    public IPEndPoint? Peer { get; private init; }

    public ushort Channel { get; private init; }

    public static TurnRequest Allocate(uint? lifetime) => new(StunMethod.Allocate) { Lifetime = lifetime };

    public static TurnRequest Refresh(uint? lifetime) => new(StunMethod.Refresh) { Lifetime = lifetime };

    public static TurnRequest CreatePermission(IPAddress peer) => new(StunMethod.CreatePermission) { Peer = new IPEndPoint(peer, 0) };

    public static TurnRequest ChannelBind(ushort channel, IPEndPoint peer) => new(StunMethod.ChannelBind) { Channel = channel, Peer = peer };

    /// <summary>Writes the request into <paramref name="buffer"/>; its length, or 0 when it does not fit.</summary>
    public int Write(Span<byte> buffer, StunTransactionId id, TurnAuthentication? authentication, string? software)
    {
        var writer = new StunMessageWriter(buffer, Method, StunMessageClass.Request, id);
        if (Method == StunMethod.Allocate)
        {
            // §7.1: the relayed transport is UDP (RFC 6062's TCP relaying is not asked for).
            writer.AddRequestedTransport(Udp);
        }

        if (Channel != 0)
        {
            writer.AddChannelNumber(Channel);
        }

        if (Peer is not null)
        {
            writer.AddXorPeerAddress(Peer);
        }

        if (Lifetime is { } seconds)
        {
            writer.AddLifetime(seconds);
        }

        if (software is not null)
        {
            writer.AddSoftware(software);
        }

        authentication?.Write(ref writer, buffer);
        writer.AddFingerprint();
        return writer.Complete();
    }
}

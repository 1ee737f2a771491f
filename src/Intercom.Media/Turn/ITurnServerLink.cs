using System.Net;

namespace Intercom.Media.Turn;

/// <summary>The client–server leg of an allocation: a caller's UDP socket, or a TCP/TLS connection the allocation owns.</summary>
internal interface ITurnServerLink : IDisposable
{
    /// <summary>The server's transport address.</summary>
    IPEndPoint Server { get; }

    /// <summary>TCP or TLS: no retransmissions, ChannelData padded to 4 bytes (RFC 8656 §12.5), the allocation ends with the connection.</summary>
    TurnTransport Transport { get; }

    /// <summary>Sends one STUN or ChannelData message; false when the socket or connection refused it.</summary>
    bool Send(ReadOnlySpan<byte> message);
}

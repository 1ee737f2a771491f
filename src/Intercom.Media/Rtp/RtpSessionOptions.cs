using System.Net;

namespace Intercom.Media.Rtp;

/// <summary>How an <see cref="RtpSession"/> binds and identifies itself.</summary>
public sealed class RtpSessionOptions
{
    /// <summary>Local address to bind (IPv4 or IPv6; <see cref="IPAddress.IPv6Any"/> binds dual-stack).</summary>
    public required IPAddress LocalAddress { get; init; }

    /// <summary>First port of the range; RTP takes even ports, RTCP the odd port after it.</summary>
    public int PortRangeStart { get; init; } = 16384;

    /// <summary>Last port of the range (inclusive).</summary>
    public int PortRangeEnd { get; init; } = 32767;

    /// <summary>Our SSRC; random when zero.</summary>
    public uint Ssrc { get; init; }

    /// <summary>The SDES CNAME sent in RTCP (RFC 7022: a random per-session name is fine).</summary>
    public string CanonicalName { get; init; } = "intercom";

    /// <summary>Clock for arrival times and the RTCP timer.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Symmetric RTP: how many consecutive audio packets of one SSRC must come from another port of the signalled address
    /// before we send there (a peer behind a NAT). Comfort noise and telephone-events never count.
    /// </summary>
    public int LatchPacketCount { get; init; } = 3;

    /// <summary>
    /// Once the peer was heard on the endpoint we send to, another port of its address may take over only after that
    /// endpoint has been silent this long (a NAT rebinding), so a second stream cannot steal a live call.
    /// </summary>
    public TimeSpan LatchSilence { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Average interval between RTCP reports (RFC 3550 §6.2 minimum: 5 s); each one is randomised by ±50 %.</summary>
    public TimeSpan RtcpInterval { get; init; } = TimeSpan.FromSeconds(5);
}

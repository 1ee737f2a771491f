using Intercom.Media.Rtp;
using Intercom.Media.Srtp;

namespace Intercom.Fuzz;

/// <summary>
/// Fuzz target "srtp": SRTP and SRTCP unprotect (RFC 3711 §3.3, §3.4) of hostile datagrams with a fixed key, in place
/// on a copy, the way the receive thread does it. The first byte picks the crypto suite; the same context sees many
/// inputs so the replay window and rollover state are exercised too. Any exception escaping is a finding, and so is a
/// plain length outside the datagram.
/// </summary>
internal static class SrtpFuzzTarget
{
    private static readonly byte[] Key = Enumerable.Range(1, SdesCryptoAttribute.KeyAndSaltLength).Select(i => (byte)i).ToArray();
    private static readonly SrtpContext Strong = new(SrtpCryptoSuite.AesCm128HmacSha1_80, Key);
    private static readonly SrtpContext Short = new(SrtpCryptoSuite.AesCm128HmacSha1_32, Key);
    private static readonly SrtpContext Sender = new(SrtpCryptoSuite.AesCm128HmacSha1_80, Key);
    private static readonly SrtpContext Receiver = new(SrtpCryptoSuite.AesCm128HmacSha1_80, Key);
    private static readonly byte[] Buffer = new byte[SrtpContext.MaxPacketLength + 64];

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        SrtpContext context = (data[0] & 1) == 0 ? Strong : Short;
        ReadOnlySpan<byte> datagram = data[1..];
        if (datagram.Length > SrtpContext.MaxPacketLength)
        {
            return;
        }

        datagram.CopyTo(Buffer);
        bool rtcp = RtpPacket.LooksLikeRtcp(datagram);
        bool ok = rtcp
            ? context.TryUnprotectRtcp(Buffer, datagram.Length, out int plain)
            : context.TryUnprotect(Buffer, datagram.Length, out plain);
        if (ok && (plain < 0 || plain > datagram.Length))
        {
            throw new InvalidOperationException($"unprotect returned {plain} bytes of a {datagram.Length}-byte datagram");
        }

        // (data[0] & 2): protect the input as if it were ours, then unprotect it with the matching receiver, so the
        // authenticated paths (index estimation, rollover, replay window) are reached with fuzzer-chosen headers.
        if ((data[0] & 2) != 0 && !rtcp && datagram.Length >= 12 && datagram.Length + Sender.RtpOverhead <= SrtpContext.MaxPacketLength
            && RtpPacket.TryParse(datagram, out _, out _))
        {
            datagram.CopyTo(Buffer);
            int protectedLength = Sender.Protect(Buffer, datagram.Length);
            if (Receiver.TryUnprotect(Buffer, protectedLength, out int back) && !Buffer.AsSpan(0, back).SequenceEqual(datagram))
            {
                throw new InvalidOperationException("protect → unprotect changed the packet");
            }
        }
    }
}

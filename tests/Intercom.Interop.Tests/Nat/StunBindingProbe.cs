using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Intercom.Interop.Tests.Nat;

/// <summary>
/// The lab's own STUN client, independent of the station's: one Binding request (RFC 8489 §5, §6.1) and the
/// XOR-MAPPED-ADDRESS of its success response (§14.2), retransmitted as §6.2.1 asks on UDP. It tells the tests which
/// public mapping a router gave a socket, and whether the STUN server is up.
/// </summary>
public static class StunBindingProbe
{
    private const uint MagicCookie = 0x2112A442;
    private const ushort BindingRequest = 0x0001;
    private const ushort BindingSuccess = 0x0101;
    private const ushort XorMappedAddress = 0x0020;

    /// <summary>
    /// Sends a Binding request from <paramref name="socket"/> to <paramref name="server"/> and returns the mapped
    /// address the server saw, or null when no answer came within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<IPEndPoint?> MappedAddressAsync(Socket socket, IPEndPoint server, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var request = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(request, BindingRequest);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), MagicCookie);
        RandomNumberGenerator.Fill(request.AsSpan(8, 12));
        var buffer = new byte[1500];
        var deadline = DateTime.UtcNow + timeout;
        // RFC 8489 §6.2.1: retransmit after RTO, doubling; 100 ms here, the lab's links are a bridge away.
        var wait = TimeSpan.FromMilliseconds(100);
        while (DateTime.UtcNow < deadline)
        {
            await socket.SendToAsync(request, server).ConfigureAwait(false);
            using var cts = new CancellationTokenSource(Min(wait, deadline - DateTime.UtcNow));
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cts.Token).ConfigureAwait(false);
                    if (TryReadMapped(buffer.AsSpan(0, received.ReceivedBytes), request.AsSpan(8, 12), out var mapped))
                    {
                        return mapped;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                wait *= 2;
            }
        }

        return null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static bool TryReadMapped(ReadOnlySpan<byte> message, ReadOnlySpan<byte> transaction, out IPEndPoint? mapped)
    {
        mapped = null;
        if (message.Length < 20 || BinaryPrimitives.ReadUInt16BigEndian(message) != BindingSuccess
            || BinaryPrimitives.ReadUInt32BigEndian(message[4..]) != MagicCookie || !message.Slice(8, 12).SequenceEqual(transaction))
        {
            return false;
        }

        var attributes = message[20..Math.Min(message.Length, 20 + BinaryPrimitives.ReadUInt16BigEndian(message[2..]))];
        while (attributes.Length >= 4)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(attributes);
            var length = BinaryPrimitives.ReadUInt16BigEndian(attributes[2..]);
            if (attributes.Length < 4 + length)
            {
                return false;
            }

            var value = attributes.Slice(4, length);
            // Family 0x01 is IPv4 (§14.1); the lab is IPv4 only.
            if (type == XorMappedAddress && length == 8 && value[1] == 0x01)
            {
                var port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (ushort)(MagicCookie >> 16);
                var address = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(address, BinaryPrimitives.ReadUInt32BigEndian(value[4..]) ^ MagicCookie);
                mapped = new IPEndPoint(new IPAddress(address), port);
                return true;
            }

            // Attributes are padded to four bytes (§14).
            var next = 4 + ((length + 3) & ~3);
            attributes = attributes[Math.Min(next, attributes.Length)..];
        }

        return false;
    }
}

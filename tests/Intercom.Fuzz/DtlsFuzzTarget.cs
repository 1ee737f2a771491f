using System.Buffers.Binary;
using Intercom.Media.Dtls;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Fuzz;

/// <summary>
/// Fuzz target "dtls": what the RTP socket hands a DTLS-SRTP endpoint (RFC 7983: first bytes 20-63) from a hostile
/// peer. Byte 0 picks our role (bit 0: client, else server), whether a server first sees a real ClientHello so the
/// fuzzer reaches the states after it (bit 1), and whether the retransmission timer runs between datagrams (bit 2);
/// the rest is datagrams, each a 16-bit big-endian length and its bytes. Findings: an exception escaping; a datagram we
/// send that is not DTLS (first byte outside 20-63) or over the MTU; and keys released — the endpoint expects a
/// certificate nobody in this process holds, so no input may ever connect it (RFC 5763 §5).
/// </summary>
internal static class DtlsFuzzTarget
{
    private static readonly DtlsContext Ours = DtlsContext.Create(DtlsCertificate.Create("fuzz-station"));
    private static readonly DtlsFingerprint Nobody = DtlsCertificate.Create("nobody").Fingerprint;
    private static readonly byte[] ClientHello = FirstFlight();
    private static readonly CheckingSender Sender = new();

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        byte mode = data[0];
        var time = new FakeTimeProvider();
        using var endpoint = new DtlsEndpoint(Ours, (mode & 1) != 0 ? DtlsRole.Client : DtlsRole.Server, Sender, time);
        endpoint.Connected += _ => throw new InvalidOperationException("keys released for a certificate that is not the signalled one");
        endpoint.SetRemoteFingerprint(Nobody);
        endpoint.Start();
        if ((mode & 3) == 2)
        {
            endpoint.Receive(ClientHello);
        }

        ReadOnlySpan<byte> rest = data[1..];
        while (rest.Length >= 2)
        {
            int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(rest), rest.Length - 2);
            endpoint.Receive(rest.Slice(2, length));
            rest = rest[(2 + length)..];
            if ((mode & 4) != 0)
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        if (endpoint.State == DtlsState.Connected || endpoint.Keys is not null)
        {
            throw new InvalidOperationException($"endpoint {endpoint.State} with keys for a certificate it was not told of");
        }

        endpoint.Close();
    }

    /// <summary>A real ClientHello (with use_srtp) from a client of our own, for the server to start from.</summary>
    private static byte[] FirstFlight()
    {
        var capture = new CheckingSender();
        using var client = new DtlsEndpoint(Ours, DtlsRole.Client, capture, new FakeTimeProvider());
        client.Start();
        return capture.Last ?? throw new InvalidOperationException("the client sent no ClientHello");
    }

    private sealed class CheckingSender : IDtlsDatagramSender
    {
        public byte[]? Last { get; private set; }

        public bool SendDtls(ReadOnlySpan<byte> datagram)
        {
            if (datagram.IsEmpty || datagram[0] is < 20 or > 63 || datagram.Length > DtlsEndpoint.DefaultMtu)
            {
                throw new InvalidOperationException($"sent a {datagram.Length}-byte datagram that is not DTLS within the MTU");
            }

            Last ??= datagram.ToArray();
            return true;
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using Intercom.Media.Dtls;
using Intercom.Media.Rtp;
using Intercom.Media.Sdp;

namespace Intercom.Media.Tests.Rtp;

/// <summary>DTLS-SRTP on the RTP socket (RFC 5764 §5.1.2, RFC 7983): handshake, keys, and the gate before them.</summary>
public sealed class RtpSessionDtlsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly DtlsContext _contextA = DtlsContext.Create(DtlsCertificate.Create("a"));
    private readonly DtlsContext _contextB = DtlsContext.Create(DtlsCertificate.Create("b"));
    private readonly RtpSession _a = Bind();
    private readonly RtpSession _b = Bind();
    private readonly Collector _atA = new();
    private readonly Collector _atB = new();

    private static RtpSession Bind() => RtpSession.Bind(new RtpSessionOptions
    {
        LocalAddress = IPAddress.Loopback,
        PortRangeStart = 30000,
        PortRangeEnd = 39999,
        RtcpInterval = TimeSpan.FromHours(1),
    });

    private static NegotiatedMedia MediaTo(int port, NegotiatedDtls dtls) => new()
    {
        RemoteHost = "127.0.0.1",
        RemoteRtpPort = port,
        RemoteRtp = new IPEndPoint(IPAddress.Loopback, port),
        RemoteRtcp = new IPEndPoint(IPAddress.Loopback, port),
        SendFormat = MediaFormat.Pcmu,
        ReceivePayloadType = 0,
        Direction = MediaDirection.SendReceive,
        PacketTime = 20,
        RtcpMux = true,
        Dtls = dtls,
    };

    private DtlsEndpoint Attach(RtpSession session, DtlsContext context, DtlsRole role, DtlsFingerprint peer, TaskCompletionSource keyed)
    {
        var endpoint = new DtlsEndpoint(context, role, session, TimeProvider.System);
        endpoint.Connected += keys =>
        {
            session.ApplyDtlsKeys(keys);
            keyed.TrySetResult();
        };
        endpoint.Failed += reason => keyed.TrySetException(new InvalidOperationException(reason));
        endpoint.SetRemoteFingerprint(peer);
        session.Dtls = endpoint;
        return endpoint;
    }

    /// <summary>Runs the handshake, _a the client and _b the server, until both have keys.</summary>
    private async Task<(DtlsEndpoint Server, DtlsEndpoint Client)> HandshakeAsync()
    {
        var keyedA = new TaskCompletionSource();
        var keyedB = new TaskCompletionSource();
        var server = Attach(_b, _contextB, DtlsRole.Server, _contextA.Certificate.Fingerprint, keyedB);
        var client = Attach(_a, _contextA, DtlsRole.Client, _contextB.Certificate.Fingerprint, keyedA);
        server.Start();
        client.Start();
        await Task.WhenAll(keyedA.Task, keyedB.Task).WaitAsync(Timeout);
        return (server, client);
    }

    /// <summary>Where the SDP said the peer was, when ICE found it elsewhere (nobody listens there).</summary>
    private static readonly IPEndPoint Elsewhere = new(IPAddress.Parse("127.0.0.2"), 9);

    [Fact]
    public async Task Under_ice_the_handshake_runs_on_the_selected_pair_not_the_sdp_address()
    {
        _a.Start(_atA);
        _b.Start(_atB);
        _a.Apply(MediaTo(_b.RtpPort, new NegotiatedDtls(DtlsRole.Client, _contextB.Certificate.Fingerprint)));
        var media = MediaTo(_a.RtpPort, new NegotiatedDtls(DtlsRole.Server, _contextA.Certificate.Fingerprint));
        _b.Apply(media with { RemoteHost = "127.0.0.2", RemoteRtp = Elsewhere, RemoteRtcp = Elsewhere, RemoteRtpPort = Elsewhere.Port });
        _b.EnableIce();
        _b.UseIcePair(new IPEndPoint(IPAddress.Loopback, _a.RtpPort));

        var (server, client) = await HandshakeAsync();
        using var _ = server;
        using var __ = client;
        Assert.False(_b.AwaitingDtls);
    }

    [Fact]
    public async Task Under_ice_the_peers_handshake_is_taken_from_another_valid_pair_and_a_strangers_is_not()
    {
        _a.Start(_atA);
        _b.Start(_atB);
        _b.Apply(MediaTo(_a.RtpPort, new NegotiatedDtls(DtlsRole.Server, _contextA.Certificate.Fingerprint)) with
        {
            RemoteHost = "127.0.0.2", RemoteRtp = Elsewhere, RemoteRtcp = Elsewhere, RemoteRtpPort = Elsewhere.Port,
        });
        _b.EnableIce();
        _b.UseIcePair(Elsewhere);
        var keyedB = new TaskCompletionSource();
        using DtlsEndpoint server = Attach(_b, _contextB, DtlsRole.Server, _contextA.Certificate.Fingerprint, keyedB);
        server.Start();

        // A stranger's ClientHello (a session on 127.0.0.1 no check of ours ever validated): dropped and counted.
        using var stranger = Bind();
        stranger.Start(new Collector());
        stranger.Apply(MediaTo(_b.RtpPort, new NegotiatedDtls(DtlsRole.Client, _contextB.Certificate.Fingerprint)) with { RemoteHost = "127.0.0.1" });
        using DtlsEndpoint strangerClient = Attach(stranger, _contextA, DtlsRole.Client, _contextB.Certificate.Fingerprint, new TaskCompletionSource());
        strangerClient.Start();
        await Eventually.UntilAsync(() => _b.WrongSourcePackets > 0, "the stranger's handshake to be dropped", Timeout);
        Assert.Equal(0, _b.DtlsPacketsReceived);

        // The peer on one of its valid pairs (its check succeeded with the peer's password): its handshake is taken.
        _b.AddIceValidRemote(new IPEndPoint(IPAddress.Loopback, _a.RtpPort), relay: null);
        _a.Apply(MediaTo(_b.RtpPort, new NegotiatedDtls(DtlsRole.Client, _contextB.Certificate.Fingerprint)));
        using DtlsEndpoint client = Attach(_a, _contextA, DtlsRole.Client, _contextB.Certificate.Fingerprint, new TaskCompletionSource());
        client.Start();
        await Eventually.UntilAsync(() => _b.DtlsPacketsReceived > 0, "the peer's ClientHello from its other valid pair to be taken", Timeout);
    }

    [Fact]
    public async Task No_media_before_the_handshake_then_SRTP_with_the_exported_keys()
    {
        _a.Start(_atA);
        _b.Start(_atB);
        _a.Apply(MediaTo(_b.RtpPort, new NegotiatedDtls(DtlsRole.Client, _contextB.Certificate.Fingerprint)));
        _b.Apply(MediaTo(_a.RtpPort, new NegotiatedDtls(DtlsRole.Server, _contextA.Certificate.Fingerprint)));

        // Agreed but not keyed: nothing leaves, nothing is taken (the peer's certificate is not checked yet).
        Assert.True(_a.AwaitingDtls);
        Assert.False(_a.Send(0, 160, true, [1, 2, 3]));
        Assert.False(_a.SendReport());

        var (server, client) = await HandshakeAsync();
        using var _ = server;
        using var __ = client;
        Assert.False(_a.AwaitingDtls);
        Assert.True(_b.DtlsPacketsReceived > 0);

        Assert.True(_a.Send(0, 160, true, [1, 2, 3]));
        Assert.True(_atB.Packets.TryTake(out byte[]? payload, Timeout));
        Assert.Equal([1, 2, 3], payload);
        Assert.True(_b.Send(0, 160, true, [4, 5]));
        Assert.True(_atA.Packets.TryTake(out payload, Timeout));
        Assert.Equal([4, 5], payload);
        Assert.Equal(0, _b.SrtpFailures);

        // The DTLS-keyed SRTP path allocates nothing per packet: send (header, protect, sendto) and receive (source
        // check, unprotect, parse, filter, statistics) as the socket thread runs it.
        var peerSend = new Intercom.Media.Srtp.SrtpContext(server.Keys!.Suite, server.Keys.LocalMasterKey.Span);
        var from = new IPEndPoint(IPAddress.Loopback, _b.RtpPort).Serialize();
        var packet = new byte[256];
        var received = new byte[256];
        _atA.Keep = false;
        int sent = 0;
        void Round()
        {
            Assert.True(_a.Send(0, (uint)(160 * (sent + 2)), false, [1, 2, 3, 4]));
            int length = peerSend.Protect(packet, new RtpHeader(0, (ushort)(100 + sent), (uint)(160 * sent), 0x5150, false).Write([5, 6, 7], packet));
            packet.AsSpan(0, length).CopyTo(received);
            _a.HandleRtp(received, length, from);
            sent++;
        }

        for (int i = 0; i < 50; i++)
        {
            Round();
        }

        int before = _atA.Counted;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            Round();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);
        Assert.Equal(500, _atA.Counted - before);
        _atA.Keep = true;

        // A renegotiation naming the same association keeps the keys.
        _a.Apply(MediaTo(_b.RtpPort, new NegotiatedDtls(DtlsRole.Client, _contextB.Certificate.Fingerprint)));
        Assert.False(_a.AwaitingDtls);
        // The measurement's 550 packets to B can overrun B's socket buffer while the machine is busy (CI, load 20+), and
        // the kernel then drops what follows them: the packet after the renegotiation is sent again, under a new sequence
        // number, until one arrives. What is asserted is that it arrives, decrypted, and that nothing failed to decrypt.
        bool arrived = false;
        for (int attempt = 0; attempt < 10 && !arrived; attempt++)
        {
            Assert.True(_a.Send(0, (uint)(320 + (160 * attempt)), false, [9]));
            while (!arrived && _atB.Packets.TryTake(out payload, TimeSpan.FromSeconds(1)))
            {
                // Behind the measurement's packets (B kept them too), the one sent after the renegotiation.
                arrived = payload.Length == 1;
                Assert.True(!arrived || payload[0] == 9);
            }
        }

        Assert.True(arrived, "no packet arrived at B after the renegotiation");
        Assert.Equal(0, _b.SrtpFailures);
    }

    [Fact]
    public void Plain_RTP_from_the_peer_is_refused_while_DTLS_is_pending()
    {
        _b.Start(_atB);
        _b.Apply(MediaTo(_a.RtpPort, new NegotiatedDtls(DtlsRole.Server, _contextA.Certificate.Fingerprint)));
        _a.Apply(MediaTo(_b.RtpPort, new NegotiatedDtls(DtlsRole.Client, _contextB.Certificate.Fingerprint)) with { Dtls = null });
        for (int i = 0; i < 5; i++)
        {
            Assert.True(_a.Send(0, (uint)(160 * i), i == 0, [7]));
        }

        Eventually.Until(() => _b.SrtpFailures == 5, "five plain packets refused", Timeout);
        Assert.Equal(0, _b.PacketsReceived);
        Assert.Empty(_atB.Packets);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _contextA.Dispose();
        _contextB.Dispose();
    }

    private sealed class Collector : IRtpPacketReceiver
    {
        public BlockingCollection<byte[]> Packets { get; } = [];

        /// <summary>False: packets are only counted (the allocation measurement must not measure the test's copies).</summary>
        public bool Keep { get; set; } = true;

        public int Counted { get; private set; }

        public void OnRtpPacket(RtpPacket packet, long arrivalTimestamp)
        {
            Counted++;
            if (Keep)
            {
                Packets.Add(packet.Payload.ToArray());
            }
        }

        public void OnSourceChanged(uint ssrc)
        {
        }
    }
}

using Intercom.Media.Dtls;
using Intercom.Media.Rtp;
using Intercom.Media.Srtp;

namespace Intercom.Media.Tests.Dtls;

public sealed class DtlsEndpointTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan FastRetransmission = TimeSpan.FromMilliseconds(40);

    private readonly DtlsContext _clientContext = DtlsContext.Create(DtlsCertificate.Create("client"));
    private readonly DtlsContext _serverContext = DtlsContext.Create(DtlsCertificate.Create("server"));
    private readonly DatagramPipe _pipe = new();
    private readonly DtlsEndpoint _client;
    private readonly DtlsEndpoint _server;
    private readonly List<string> _failures = [];

    public DtlsEndpointTests()
    {
        _client = new DtlsEndpoint(_clientContext, DtlsRole.Client, _pipe.ToServer, TimeProvider.System, FastRetransmission);
        _server = new DtlsEndpoint(_serverContext, DtlsRole.Server, _pipe.ToClient, TimeProvider.System, FastRetransmission);
        _pipe.Client = _client;
        _pipe.Server = _server;
        _client.Failed += reason => { lock (_failures) { _failures.Add("client: " + reason); } };
        _server.Failed += reason => { lock (_failures) { _failures.Add("server: " + reason); } };
    }

    private bool BothConnected => _client.State == DtlsState.Connected && _server.State == DtlsState.Connected;

    [Fact]
    public void Handshake_through_a_lossy_pipe_gives_both_ends_the_same_SRTP_keys()
    {
        // Lose each end's first flight, and every third datagram after: only retransmissions (RFC 6347 §4.2.4) get it done.
        _pipe.Lose = (_, n) => n == 0 || n % 3 == 2;
        SrtpKeys? clientKeys = null;
        _client.Connected += keys => clientKeys = keys;
        Fingerprints();
        _server.Start();
        _client.Start();

        Assert.True(_pipe.PumpUntil(() => BothConnected, Limit), $"client {_client.State}, server {_server.State}: {string.Join("; ", _failures)}");
        Assert.True(_pipe.Lost >= 2, $"lost {_pipe.Lost}");
        Assert.Empty(_failures);
        Assert.Same(_client.Keys, clientKeys);
        SrtpKeys client = _client.Keys!;
        SrtpKeys server = _server.Keys!;
        Assert.Equal(SrtpCryptoSuite.AesCm128HmacSha1_80, client.Suite);
        Assert.Equal(server.Suite, client.Suite);
        Assert.Equal(30, client.LocalMasterKey.Length);
        Assert.Equal(client.LocalMasterKey.ToArray(), server.RemoteMasterKey.ToArray());
        Assert.Equal(client.RemoteMasterKey.ToArray(), server.LocalMasterKey.ToArray());
        Assert.NotEqual(client.LocalMasterKey.ToArray(), client.RemoteMasterKey.ToArray());

        // The exported keys work as SRTP keys: what the client protects, the server authenticates and decrypts.
        using var send = new SrtpContext(client.Suite, client.LocalMasterKey.Span);
        using var receive = new SrtpContext(server.Suite, server.RemoteMasterKey.Span);
        var buffer = new byte[256];
        byte[] payload = [1, 2, 3, 4, 5, 6, 7, 8];
        int length = send.Protect(buffer, new RtpHeader(0, 1, 160, 0x1234, false).Write(payload, buffer));
        Assert.True(receive.TryUnprotect(buffer, length, out int plain));
        Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, plain), out RtpPacket packet, out _));
        Assert.Equal(payload, packet.Payload.ToArray());
    }

    [Fact]
    public void Keys_wait_for_the_fingerprint_when_the_answer_comes_after_the_handshake()
    {
        // RFC 5763 §5: the active end may finish before the SDP answer (with our fingerprint check) reaches us.
        _client.SetRemoteFingerprint(_serverContext.Certificate.Fingerprint);
        _server.Start();
        _client.Start();

        Assert.True(_pipe.PumpUntil(() => _server.State == DtlsState.AwaitingFingerprint && _client.State == DtlsState.Connected, Limit));
        Assert.Null(_server.Keys);
        _server.SetRemoteFingerprint(_clientContext.Certificate.Fingerprint);
        Assert.Equal(DtlsState.Connected, _server.State);
        Assert.Equal(_client.Keys!.LocalMasterKey.ToArray(), _server.Keys!.RemoteMasterKey.ToArray());
    }

    [Fact]
    public void A_certificate_that_is_not_the_signalled_fingerprint_gets_no_keys()
    {
        // The server is told the fingerprint of a certificate the client does not hold (a man in the middle's view).
        SrtpKeys? leaked = null;
        string? reason = null;
        _server.Connected += keys => leaked = keys;
        _server.Failed += failure => reason = failure;
        _client.SetRemoteFingerprint(_serverContext.Certificate.Fingerprint);
        _server.SetRemoteFingerprint(DtlsCertificate.Create("someone else").Fingerprint);
        _server.Start();
        _client.Start();

        Assert.True(_pipe.PumpUntil(() => _server.State == DtlsState.Failed, Limit), $"server {_server.State}");
        Assert.Null(leaked);
        Assert.Null(_server.Keys);
        Assert.Contains("does not match", reason, StringComparison.Ordinal);

        // And it stays failed: a later (or repeated) fingerprint cannot revive it.
        _server.SetRemoteFingerprint(_clientContext.Certificate.Fingerprint);
        Assert.Equal(DtlsState.Failed, _server.State);
        Assert.Null(_server.Keys);
    }

    [Fact]
    public void The_client_refuses_a_server_whose_certificate_is_not_the_signalled_one()
    {
        _client.SetRemoteFingerprint(DtlsCertificate.Create("impostor").Fingerprint);
        _server.SetRemoteFingerprint(_clientContext.Certificate.Fingerprint);
        _server.Start();
        _client.Start();

        Assert.True(_pipe.PumpUntil(() => _client.State == DtlsState.Failed, Limit), $"client {_client.State}");
        Assert.Null(_client.Keys);
    }

    [Fact]
    public void Garbage_datagrams_are_dropped_and_the_handshake_still_completes()
    {
        var random = new Random(20);
        Fingerprints();
        _server.Start();
        foreach (DtlsEndpoint endpoint in new[] { _server, _client })
        {
            for (int i = 0; i < 300; i++)
            {
                var junk = new byte[random.Next(1, 1500)];
                random.NextBytes(junk);
                junk[0] = (byte)random.Next(20, 64);
                if (i % 3 == 0 && junk.Length > 13)
                {
                    // Some look like DTLS 1.2 handshake records (content type 22, version 254.253) with a sane length.
                    junk[0] = 22;
                    junk[1] = 0xFE;
                    junk[2] = 0xFD;
                    junk[11] = (byte)((junk.Length - 13) >> 8);
                    junk[12] = (byte)(junk.Length - 13);
                }

                endpoint.Receive(junk);
            }
        }

        _client.Receive([]);
        _client.Receive(new byte[DtlsEndpoint.MaxDatagram + 1]);
        Assert.Equal(2, _client.DatagramsDropped);
        _client.Start();
        Assert.True(_pipe.PumpUntil(() => BothConnected, Limit), $"client {_client.State}, server {_server.State}: {string.Join("; ", _failures)}");

        // Connected ends ignore garbage too and keep their keys.
        byte[] keys = _server.Keys!.LocalMasterKey.ToArray();
        for (int i = 0; i < 200; i++)
        {
            var junk = new byte[random.Next(1, 300)];
            random.NextBytes(junk);
            junk[0] = (byte)random.Next(20, 64);
            _server.Receive(junk);
        }

        Assert.Equal(DtlsState.Connected, _server.State);
        Assert.Equal(keys, _server.Keys!.LocalMasterKey.ToArray());
    }

    [Fact]
    public void Flights_stay_within_the_MTU()
    {
        Fingerprints();
        _server.Start();
        _client.Start();
        Assert.True(_pipe.PumpUntil(() => BothConnected, Limit));
        Assert.All(_pipe.ToServer.Sent.Concat(_pipe.ToClient.Sent), datagram => Assert.InRange(datagram.Length, 13, DtlsEndpoint.DefaultMtu));
        Assert.All(_pipe.ToServer.Sent.Concat(_pipe.ToClient.Sent), datagram => Assert.InRange(datagram[0], 20, 63));
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _clientContext.Dispose();
        _serverContext.Dispose();
    }

    private void Fingerprints()
    {
        _client.SetRemoteFingerprint(_serverContext.Certificate.Fingerprint);
        _server.SetRemoteFingerprint(_clientContext.Certificate.Fingerprint);
    }
}

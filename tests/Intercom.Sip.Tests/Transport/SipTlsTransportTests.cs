using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transport;

public sealed class SipTlsTransportTests : IDisposable
{
    private readonly X509Certificate2 _serverCertificate = TransportPeer.SelfSigned("door.test");
    private readonly X509Certificate2 _otherCertificate = TransportPeer.SelfSigned("other.test");

    public void Dispose()
    {
        _serverCertificate.Dispose();
        _otherCertificate.Dispose();
    }

    private (TransportPeer Server, SipDestination Destination) StartServer(string? serverName = "door.test", SipTlsOptions? tls = null)
    {
        var server = new TransportPeer(new SipTransportOptions { Tls = tls ?? new SipTlsOptions { Certificate = _serverCertificate } }) { AutoAnswer = 200 };
        var listener = server.OnLoop(() => server.Layer.AddListener(SipTransportProtocol.Tls, new IPEndPoint(IPAddress.Loopback, 0)));
        return (server, new SipDestination(SipTransportProtocol.Tls, listener.LocalEndPoint, serverName));
    }

    private static void SendOptions(TransportPeer client, SipDestination destination, string branch) =>
        client.OnLoop(() => client.Layer.SendRequest(TransportPeer.Options(branch, "TLS"), destination, client));

    [Fact]
    public void Pinned_fingerprint_of_the_server_certificate_is_accepted_and_the_request_answered()
    {
        var (server, destination) = StartServer();
        using (server)
        {
            var pin = SHA256.HashData(_serverCertificate.RawData);
            using var client = new TransportPeer(new SipTransportOptions
            {
                Tls = new SipTlsOptions { ServerValidation = SipTlsPeerValidation.PinnedFingerprint, PinnedSha256Fingerprints = [pin] },
            });
            SendOptions(client, destination, "z9hG4bKtls1");
            var (request, flow) = TransportPeer.Take(server.Requests, "request over TLS");
            Assert.Equal("z9hG4bKtls1", request.TopVia!.Branch);
            Assert.Equal(SipTransportProtocol.Tls, flow.Protocol);
            Assert.Equal(200, TransportPeer.Take(client.Responses, "response over TLS").Response.StatusCode);
        }
    }

    [Fact]
    public void A_wrong_pinned_fingerprint_refuses_the_server()
    {
        var (server, destination) = StartServer();
        using (server)
        {
            var wrongPin = SHA256.HashData(_otherCertificate.RawData);
            using var client = new TransportPeer(new SipTransportOptions
            {
                Tls = new SipTlsOptions { ServerValidation = SipTlsPeerValidation.PinnedFingerprint, PinnedSha256Fingerprints = [wrongPin] },
            });
            SendOptions(client, destination, "z9hG4bKtls2");
            Assert.Equal(SipTransportError.TlsHandshakeFailed, TransportPeer.Take(client.Errors, "handshake failure").Error);
            Assert.Empty(server.Requests);
        }
    }

    [Fact]
    public void A_configured_CA_validates_the_chain_and_the_name()
    {
        var (server, destination) = StartServer();
        using (server)
        {
            var anchors = new X509Certificate2Collection { X509CertificateLoader.LoadCertificate(_serverCertificate.RawData) };
            using var client = new TransportPeer(new SipTransportOptions
            {
                Tls = new SipTlsOptions { ServerValidation = SipTlsPeerValidation.ConfiguredCertificateAuthorities, CertificateAuthorities = anchors },
            });
            SendOptions(client, destination, "z9hG4bKtls3");
            Assert.Equal(200, TransportPeer.Take(client.Responses, "response").Response.StatusCode);

            // Same CA, but the certificate is not for this name (RFC 5922 §7.2).
            SendOptions(client, destination with { ServerName = "elsewhere.test" }, "z9hG4bKtls4");
            Assert.Equal(SipTransportError.TlsHandshakeFailed, TransportPeer.Take(client.Errors, "name mismatch").Error);
        }
    }

    [Fact]
    public void An_unrelated_CA_refuses_the_server()
    {
        var (server, destination) = StartServer();
        using (server)
        {
            var anchors = new X509Certificate2Collection { X509CertificateLoader.LoadCertificate(_otherCertificate.RawData) };
            using var client = new TransportPeer(new SipTransportOptions
            {
                Tls = new SipTlsOptions { ServerValidation = SipTlsPeerValidation.ConfiguredCertificateAuthorities, CertificateAuthorities = anchors },
            });
            SendOptions(client, destination, "z9hG4bKtls5");
            Assert.Equal(SipTransportError.TlsHandshakeFailed, TransportPeer.Take(client.Errors, "untrusted").Error);
        }
    }

    [Fact]
    public void System_CAs_refuse_a_self_signed_server()
    {
        var (server, destination) = StartServer();
        using (server)
        {
            using var client = new TransportPeer(new SipTransportOptions { Tls = new SipTlsOptions() });
            SendOptions(client, destination, "z9hG4bKtls6");
            Assert.Equal(SipTransportError.TlsHandshakeFailed, TransportPeer.Take(client.Errors, "untrusted").Error);
        }
    }

    [Fact]
    public void Server_can_require_a_pinned_client_certificate()
    {
        var serverTls = new SipTlsOptions
        {
            Certificate = _serverCertificate,
            ClientValidation = SipTlsPeerValidation.PinnedFingerprint,
            PinnedSha256Fingerprints = [SHA256.HashData(_otherCertificate.RawData)],
        };
        var (server, destination) = StartServer(tls: serverTls);
        using (server)
        {
            var pin = SHA256.HashData(_serverCertificate.RawData);
            using var client = new TransportPeer(new SipTransportOptions
            {
                Tls = new SipTlsOptions
                {
                    Certificate = _otherCertificate,
                    ServerValidation = SipTlsPeerValidation.PinnedFingerprint,
                    PinnedSha256Fingerprints = [pin],
                },
            });
            SendOptions(client, destination, "z9hG4bKtls7");
            Assert.Equal(200, TransportPeer.Take(client.Responses, "response").Response.StatusCode);
        }
    }

    [Theory]
    [InlineData("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89", true)]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", true)]
    [InlineData("AB:CD", false)]
    [InlineData("zz" + "cdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", false)]
    public void Fingerprints_parse_in_openssl_and_plain_hex_forms(string text, bool valid)
    {
        Assert.Equal(valid, SipTlsOptions.TryParseFingerprint(text, out var fingerprint));
        Assert.Equal(valid ? 32 : 0, fingerprint.Length);
    }
}

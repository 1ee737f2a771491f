using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Intercom.Sip.Core;
using Intercom.Sip.Messages;
using Intercom.Sip.Tests.Core;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transport;

/// <summary>A transport layer on its own loop thread, recording what it receives; for tests on real loopback sockets.</summary>
internal sealed class TransportPeer : ISipTransportUser, ISipTransportErrorHandler, IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public TransportPeer(SipTransportOptions? options = null, TimeProvider? time = null)
    {
        Loop = new SipLoop(time ?? TimeProvider.System);
        Layer = new SipTransportLayer(Loop, options);
        Layer.SetUser(this);
        Layer.ConnectionClosed = d => ClosedConnections.Add(d);
    }

    public SipLoop Loop { get; }

    public SipTransportLayer Layer { get; }

    public BlockingCollection<(SipRequest Request, SipFlow Flow)> Requests { get; } = [];

    public BlockingCollection<(SipResponse Response, SipFlow Flow)> Responses { get; } = [];

    public BlockingCollection<(SipDestination Destination, SipTransportError Error)> Errors { get; } = [];

    public BlockingCollection<SipDestination> ClosedConnections { get; } = [];

    /// <summary>When set, each request is answered on the loop with this status.</summary>
    public int? AutoAnswer { get; set; }

    public static SipRequest Options(string branch, string transport = "UDP", string sentBy = "192.0.2.99:5070") =>
        Parse($"OPTIONS sip:door@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/{transport} {sentBy};branch={branch};rport\r\nMax-Forwards: 70\r\n" +
              "From: <sip:tester@example.com>;tag=t1\r\nTo: <sip:door@example.com>\r\nCall-ID: " + branch + "@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");

    public static SipRequest Parse(string text) =>
        SipMessageParser.TryParse(Encoding.UTF8.GetBytes(text), out var message, out var error)
            ? (SipRequest)message
            : throw new InvalidOperationException(error.ToString());

    public static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        // Round-trip through PKCS#12 so SslStream on every platform gets a certificate with a usable private key.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Runs <paramref name="action"/> on the loop and waits for it.</summary>
    public T OnLoop<T>(Func<T> action) => Loop.Invoke(action);

    public void OnLoop(Action action) => Loop.Invoke(action);

    public static T Take<T>(BlockingCollection<T> collection, string what)
    {
        Assert.True(collection.TryTake(out var item, Wait), "timed out waiting for " + what);
        return item!;
    }

    public void OnRequestReceived(SipRequest request, SipFlow flow)
    {
        Requests.Add((request, flow));
        if (AutoAnswer is int status)
        {
            Layer.SendResponse(SipResponseFactory.Create(request, status, toTag: "srv"), flow, this);
        }
    }

    public void OnResponseReceived(SipResponse response, SipFlow flow) => Responses.Add((response, flow));

    public void OnTransportError(SipDestination destination, SipTransportError error) => Errors.Add((destination, error));

    public void Dispose()
    {
        OnLoop(Layer.Dispose);
        Loop.Dispose();
    }
}

using System.Net;
using System.Security.Cryptography.X509Certificates;
using Intercom.Configuration;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;

namespace Intercom.Interop.Tests.Peers;

/// <summary>Our own SIP stacks for interop tests: listening on loopback, trusting the test CA, presenting the test certificate.</summary>
public static class TestStacks
{
    public static SipStack Create(TestCertificates certificates, string contactUser, params SipTransportProtocol[] protocols)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certificates.CertificateFile, certificates.PrivateKeyFile);
        var stack = SipStack.Create(new SipStackOptions
        {
            Agent = new SipUserAgentOptions { ContactUser = contactUser, Product = "Intercom-interop-test" },
            Transport = new SipTransportOptions
            {
                Tls = new SipTlsOptions
                {
                    Certificate = certificate,
                    ServerValidation = SipTlsPeerValidation.ConfiguredCertificateAuthorities,
                    CertificateAuthorities = CertificateAuthorityFile.Load(certificates.CaFile),
                },
            },
        });
        foreach (var protocol in protocols)
        {
            stack.Listen(protocol, new IPEndPoint(IPAddress.Loopback, 0));
        }

        return stack;
    }

    public static int Port(this SipStack stack, SipTransportProtocol protocol) =>
        stack.Transport.Listeners.First(l => l.Protocol == protocol).LocalEndPoint.Port;
}

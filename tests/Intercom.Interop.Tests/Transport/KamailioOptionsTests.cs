using Intercom.Interop.Tests.Peers;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent;

namespace Intercom.Interop.Tests.Transport;

/// <summary>
/// RFC 3261 §11/§16 through a real proxy: our stack sends OPTIONS to the door station's URI with Kamailio as outbound
/// proxy; Kamailio forwards it to the door (our other stack), and the door's 200 comes back the same way. Over UDP, TCP
/// and TLS (Kamailio's certificate checked against the test CA; the door presents its certificate to Kamailio).
/// </summary>
public sealed class KamailioOptionsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-options-").FullName;
    private Kamailio _kamailio = null!;
    private SipStack _door = null!;
    private SipStack _monitor = null!;

    public async Task InitializeAsync()
    {
        _kamailio = Kamailio.Create(_dir);
        await _kamailio.StartAsync();
        var all = new[] { SipTransportProtocol.Udp, SipTransportProtocol.Tcp, SipTransportProtocol.Tls };
        _door = TestStacks.Create(_kamailio.Certificates, "door", all);
        _monitor = TestStacks.Create(_kamailio.Certificates, "monitor", all);
    }

    public async Task DisposeAsync()
    {
        _monitor.Dispose();
        _door.Dispose();
        await _kamailio.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(SipTransportProtocol.Udp, "udp")]
    [InlineData(SipTransportProtocol.Tcp, "tcp")]
    [InlineData(SipTransportProtocol.Tls, "tls")]
    public async Task Options_goes_through_kamailio_to_the_door_and_its_200_comes_back(SipTransportProtocol protocol, string transport)
    {
        var doorUri = SipUri.Parse($"sip:door@127.0.0.1:{_door.Port(protocol)};transport={transport}");
        var proxyPort = protocol switch
        {
            SipTransportProtocol.Udp => _kamailio.UdpPort,
            SipTransportProtocol.Tcp => _kamailio.TcpPort,
            _ => _kamailio.TlsPort,
        };
        var proxy = SipUri.Parse($"sip:127.0.0.1:{proxyPort};transport={transport}");
        var from = new SipNameAddress(SipUri.Parse("sip:monitor@127.0.0.1"));

        var response = await _monitor.Agent.SendRequestAsync(SipMethods.Options, doorUri, from, proxy).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(response.StatusCode == 200, $"{response.StatusCode} {response.ReasonPhrase}\nkamailio:\n{_kamailio.Process.Tail(30)}");
        Assert.Contains("INVITE", response.Headers.Get(SipHeaderNames.Allow), StringComparison.Ordinal);
        Assert.Equal("Intercom-interop-test", response.Headers.Get(SipHeaderNames.Server));
        // It really went through Kamailio, over the transport under test.
        await _kamailio.Process.WaitForLineAsync($"request OPTIONS sip:door@127.0.0.1:{_door.Port(protocol)};transport={transport} .*\\({transport}\\)", TimeSpan.FromSeconds(5));
        await _kamailio.Process.WaitForLineAsync("reply 200 .* for OPTIONS", TimeSpan.FromSeconds(5));
    }
}

using System.Net;
using Intercom.Sip.Transport;

namespace Intercom.Sip.Tests.Transport;

public class SipServerLocatorTests
{
    private static readonly IPAddress Pbx1 = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress Pbx2 = IPAddress.Parse("192.0.2.20");
    private static readonly IPAddress Pbx6 = IPAddress.Parse("2001:db8::10");

    private static SipServerLocator Locator(LoopbackDnsServer dns, SipServerLocatorOptions? options = null) =>
        new(dns.CreateClient(), options, new Random(7));

    [Fact]
    public async Task A_numeric_host_needs_no_DNS_and_gets_the_default_port_and_UDP()
    {
        using var dns = new LoopbackDnsServer();
        var targets = await Locator(dns).LocateAsync("192.0.2.5", null, null, secure: false);
        Assert.Equal([new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Parse("192.0.2.5"), 5060))], targets);
        Assert.Equal(0, dns.QueryCount);
    }

    [Fact]
    public async Task A_bracketed_IPv6_host_with_sips_is_TLS_on_5061()
    {
        using var dns = new LoopbackDnsServer();
        var targets = await Locator(dns).LocateAsync("[2001:db8::1]", null, null, secure: true);
        Assert.Equal([new SipDestination(SipTransportProtocol.Tls, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 5061))], targets);
        Assert.Equal(0, dns.QueryCount);
    }

    [Fact]
    public async Task An_explicit_port_skips_NAPTR_and_SRV()
    {
        using var dns = new LoopbackDnsServer();
        dns.AddNaptr("example.com", 10, 10, "s", "SIP+D2T", "_sip._tcp.example.com");
        dns.AddAddress("example.com", Pbx1);
        var targets = await Locator(dns).LocateAsync("example.com", 5080, SipTransportProtocol.Tcp, secure: false);
        Assert.Equal([new SipDestination(SipTransportProtocol.Tcp, new IPEndPoint(Pbx1, 5080), "example.com")], targets);
        Assert.DoesNotContain(dns.Log, q => q.StartsWith("NAPTR", StringComparison.Ordinal) || q.StartsWith("SRV", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NAPTR_order_then_SRV_priority_gives_the_failover_list()
    {
        using var dns = new LoopbackDnsServer();
        dns.AddNaptr("example.com", 50, 50, "s", "SIP+D2U", "_sip._udp.example.com");
        dns.AddNaptr("example.com", 10, 10, "s", "SIPS+D2T", "_sips._tcp.example.com");
        dns.AddNaptr("example.com", 20, 10, "s", "SIP+D2T", "_sip._tcp.example.com");
        dns.AddNaptr("example.com", 5, 10, "s", "SIP+D2SCTP", "_sip._sctp.example.com");
        dns.AddSrv("_sips._tcp.example.com", 10, 0, 5061, "tls.example.com");
        dns.AddSrv("_sip._tcp.example.com", 20, 0, 5070, "b.example.com");
        dns.AddSrv("_sip._tcp.example.com", 10, 0, 5060, "a.example.com");
        dns.AddSrv("_sip._udp.example.com", 10, 0, 5060, "a.example.com");
        dns.AddAddress("tls.example.com", Pbx1);
        dns.AddAddress("a.example.com", Pbx1);
        dns.AddAddress("b.example.com", Pbx2);

        var targets = await Locator(dns).LocateAsync("example.com", null, null, secure: false);

        Assert.Equal(
            [
                new SipDestination(SipTransportProtocol.Tls, new IPEndPoint(Pbx1, 5061), "example.com"),
                new SipDestination(SipTransportProtocol.Tcp, new IPEndPoint(Pbx1, 5060), "example.com"),
                new SipDestination(SipTransportProtocol.Tcp, new IPEndPoint(Pbx2, 5070), "example.com"),
                new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(Pbx1, 5060), "example.com"),
            ],
            targets);
    }

    [Fact]
    public async Task A_sips_URI_uses_only_SIPS_NAPTR_records()
    {
        using var dns = new LoopbackDnsServer();
        dns.AddNaptr("example.com", 10, 10, "s", "SIP+D2U", "_sip._udp.example.com");
        dns.AddNaptr("example.com", 20, 10, "s", "SIPS+D2T", "_sips._tcp.example.com");
        dns.AddSrv("_sip._udp.example.com", 10, 0, 5060, "a.example.com");
        dns.AddSrv("_sips._tcp.example.com", 10, 0, 5061, "a.example.com");
        dns.AddAddress("a.example.com", Pbx1);

        var targets = await Locator(dns).LocateAsync("example.com", null, null, secure: true);

        Assert.Equal([new SipDestination(SipTransportProtocol.Tls, new IPEndPoint(Pbx1, 5061), "example.com")], targets);
    }

    [Fact]
    public async Task Without_NAPTR_SRV_is_queried_per_supported_transport_in_preference_order()
    {
        using var dns = new LoopbackDnsServer();
        dns.AddAddress("example.com", Pbx2);
        dns.AddSrv("_sip._tcp.example.com", 10, 0, 5060, "a.example.com");
        dns.AddSrv("_sip._udp.example.com", 10, 0, 5060, "a.example.com");
        dns.AddAddress("a.example.com", Pbx1);
        var options = new SipServerLocatorOptions { Transports = [SipTransportProtocol.Tcp, SipTransportProtocol.Udp] };

        var targets = await Locator(dns, options).LocateAsync("example.com", null, null, secure: false);

        Assert.Equal(
            [
                new SipDestination(SipTransportProtocol.Tcp, new IPEndPoint(Pbx1, 5060), "example.com"),
                new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(Pbx1, 5060), "example.com"),
            ],
            targets);
        Assert.DoesNotContain("SRV _sips._tcp.example.com", dns.Log);
    }

    [Fact]
    public async Task Without_NAPTR_or_SRV_the_host_address_is_used_with_UDP_on_5060()
    {
        using var dns = new LoopbackDnsServer();
        dns.AddAddress("example.com", Pbx1);
        dns.AddAddress("example.com", Pbx6);

        var targets = await Locator(dns).LocateAsync("example.com", null, null, secure: false);

        Assert.Equal(
            [
                new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(Pbx1, 5060), "example.com"),
                new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(Pbx6, 5060), "example.com"),
            ],
            targets);
    }

    [Fact]
    public async Task A_transport_parameter_without_port_queries_that_SRV_only_and_falls_back_to_the_default_port()
    {
        using var dns = new LoopbackDnsServer();
        dns.AddNaptr("example.com", 10, 10, "s", "SIP+D2U", "_sip._udp.example.com");
        dns.AddAddress("example.com", Pbx1);

        var targets = await Locator(dns).LocateAsync("example.com", null, SipTransportProtocol.Tcp, secure: false);

        Assert.Equal([new SipDestination(SipTransportProtocol.Tcp, new IPEndPoint(Pbx1, 5060), "example.com")], targets);
        Assert.Contains("SRV _sip._tcp.example.com", dns.Log);
        Assert.DoesNotContain(dns.Log, q => q.StartsWith("NAPTR", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SRV_additional_records_are_used_without_another_query_and_a_dot_target_is_skipped()
    {
        using var dns = new LoopbackDnsServer();
        dns.AddSrvWithGlue("_sip._udp.example.com", 10, 0, 5062, "glue.example.com", Pbx2);
        dns.AddSrv("_sip._udp.example.com", 20, 0, 5060, ".");
        var options = new SipServerLocatorOptions { Transports = [SipTransportProtocol.Udp] };

        var targets = await Locator(dns, options).LocateAsync("example.com", null, SipTransportProtocol.Udp, secure: false);

        Assert.Equal([new SipDestination(SipTransportProtocol.Udp, new IPEndPoint(Pbx2, 5062), "example.com")], targets);
        Assert.DoesNotContain(dns.Log, q => q.Contains("glue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Equal_priority_SRV_records_are_spread_by_weight()
    {
        using var dns = new LoopbackDnsServer();
        dns.AddSrv("_sip._udp.example.com", 10, 90, 5060, "heavy.example.com");
        dns.AddSrv("_sip._udp.example.com", 10, 10, 5060, "light.example.com");
        dns.AddAddress("heavy.example.com", Pbx1);
        dns.AddAddress("light.example.com", Pbx2);
        var options = new SipServerLocatorOptions { Transports = [SipTransportProtocol.Udp] };
        var locator = new SipServerLocator(dns.CreateClient(), options, new Random(1));

        var heavyFirst = 0;
        for (var i = 0; i < 40; i++)
        {
            var targets = await locator.LocateAsync("example.com", null, SipTransportProtocol.Udp, secure: false);
            Assert.Equal(2, targets.Count);
            heavyFirst += targets[0].EndPoint.Address.Equals(Pbx1) ? 1 : 0;
        }

        // 90:10 weights: the heavy server leads most of the time, and the light one sometimes.
        Assert.InRange(heavyFirst, 28, 39);
    }

    [Fact]
    public async Task An_unknown_name_yields_no_targets()
    {
        using var dns = new LoopbackDnsServer();
        var targets = await Locator(dns).LocateAsync("nowhere.example", null, null, secure: false);
        Assert.Empty(targets);
    }

    [Theory]
    [InlineData("sip:door@192.0.2.5:5070;transport=tcp", SipTransportProtocol.Tcp, 5070)]
    [InlineData("sips:door@192.0.2.5;transport=tcp", SipTransportProtocol.Tls, 5061)]
    [InlineData("sip:door@example.com;maddr=192.0.2.5", SipTransportProtocol.Udp, 5060)]
    public async Task A_SIP_URI_supplies_host_maddr_port_and_transport(string uri, SipTransportProtocol transport, int port)
    {
        using var dns = new LoopbackDnsServer();
        var targets = await Locator(dns).LocateAsync(Intercom.Sip.Messages.SipUri.Parse(uri));
        Assert.Equal([new SipDestination(transport, new IPEndPoint(IPAddress.Parse("192.0.2.5"), port))], targets);
        Assert.Equal(0, dns.QueryCount);
    }
}

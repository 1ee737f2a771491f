using System.Net;
using Intercom.Web.Security;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Web.Tests;

/// <summary>
/// DNS rebinding: the station answers only to its addresses and its own names, before authentication, for the page and
/// the API.
/// </summary>
public sealed class HostFilterTests
{
    private static readonly HostFilter Filter = new(["door.example.lan"], TimeProvider.System, NullLogger.Instance, () => "door-pi.home.arpa");

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("192.168.1.20")]
    [InlineData("[::1]")]
    [InlineData("[2001:db8::20]")]
    [InlineData("localhost")]
    [InlineData("LocalHost.")]
    [InlineData("door-pi")]
    [InlineData("door-pi.local")]
    [InlineData("door-pi.home.arpa")]
    [InlineData("DOOR.example.lan")]
    [InlineData("door.example.lan.")]
    public void The_stations_addresses_and_names_are_allowed(string host) => Assert.True(Filter.IsAllowed(host));

    [Theory]
    [InlineData("evil.example")]
    [InlineData("127.0.0.1.evil.example")]
    [InlineData("localhost.evil.example")]
    [InlineData("door-pi.evil.example")]
    [InlineData("door.example.lan.evil.example")]
    [InlineData("example.lan")]
    [InlineData("127.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("::1")]
    [InlineData("[door-pi]")]
    [InlineData("[127.0.0.1]")]
    [InlineData(".")]
    public void Other_names_and_unusual_address_forms_are_refused(string host) => Assert.False(Filter.IsAllowed(host));

    [Fact]
    public void An_unset_host_name_allows_no_name_of_its_own()
    {
        var filter = new HostFilter([], TimeProvider.System, NullLogger.Instance, () => "");

        Assert.False(filter.IsAllowed("local"));
        Assert.False(filter.IsAllowed(".local"));
        Assert.True(filter.IsAllowed("localhost"));
    }

    [Fact]
    public async Task A_request_for_another_host_is_refused_with_421_before_authentication_for_the_page_and_the_api()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        var token = await ApiTests.TokenAsync(web, client);

        foreach (var (method, path) in ((HttpMethod, string)[])[(HttpMethod.Get, "/"), (HttpMethod.Get, "/app.js"), (HttpMethod.Get, "/api/session"), (HttpMethod.Get, "/api/status"), (HttpMethod.Post, "/api/relays/door/open")])
        {
            foreach (var withToken in (bool[])[false, true])
            {
                var request = StationWeb.Request(method, path, token: withToken ? token : null);
                request.Headers.Host = "rebind.evil.example:" + web.Address.Port;
                using var response = await client.SendAsync(request);

                Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
                Assert.Contains("web.allowedHosts", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        Assert.False(web.App.Board.IsRelayEnergised("door"));
        Assert.DoesNotContain(web.App.Station.Events.Snapshot(), e => e.Message.Contains("door opened", StringComparison.Ordinal));
        var refusals = web.Logs.Lines.Where(l => l.Contains("host 'rebind.evil.example' from 127.0.0.1 refused", StringComparison.Ordinal)).ToList();
        Assert.Single(refusals);

        web.Time.Advance(TimeSpan.FromMinutes(1));
        var again = StationWeb.Request(HttpMethod.Get, "/api/status");
        again.Headers.Host = "other.evil.example";
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await client.SendAsync(again)).StatusCode);
        Assert.Contains(web.Logs.Lines, l => l.Contains("host 'other.evil.example'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_station_answers_to_its_addresses_its_host_name_and_the_configured_names()
    {
        await using var web = await StationWeb.StartAsync(c => c.Web.AllowedHosts = ["door.example.lan"]);
        using var client = web.NewClient();
        var own = Dns.GetHostName();
        string[] hosts = ["127.0.0.1", "localhost", "[::1]", own, own.Split('.')[0] + ".local", "door.example.lan", "DOOR.EXAMPLE.LAN."];

        foreach (var host in hosts)
        {
            var request = StationWeb.Request(HttpMethod.Get, "/api/session");
            request.Headers.Host = host + ":" + web.Address.Port;
            using var response = await client.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{host}: {response.StatusCode}");
        }

        var refused = StationWeb.Request(HttpMethod.Get, "/api/session");
        refused.Headers.Host = "example.lan";
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await client.SendAsync(refused)).StatusCode);
    }
}

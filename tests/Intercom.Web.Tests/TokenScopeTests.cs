using System.Net;
using Intercom.Web.Routing;

namespace Intercom.Web.Tests;

/// <summary>Deny by default on the running server: its route table is the declared one, and each token does only what its scopes allow.</summary>
public sealed class TokenScopeTests
{
    [Fact]
    public async Task The_running_server_answers_exactly_the_declared_routes()
    {
        await using var web = await StationWeb.StartAsync();

        Assert.Equal(WebRoutes.All.Select(r => r.ToString()).Order(), web.Web.Routes.Select(r => r.ToString()).Order());
    }

    [Fact]
    public async Task A_read_token_sees_status_and_events_but_cannot_open_call_or_configure()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var token = await ApiTests.TokenAsync(web, page, scopes: "\"read\"");
        using var api = web.NewClient();

        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/status", token: token))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/events", token: token))).StatusCode);
        using var open = await api.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/open", token: token));
        using var call = await api.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/call", json: "{\"target\":\"residents\"}", token: token));
        using var config = await api.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/config", token: token));

        Assert.Equal(HttpStatusCode.Forbidden, open.StatusCode);
        Assert.Equal("this token's scopes do not include 'operate'", Json.Parse(await open.Content.ReadAsStringAsync()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, call.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, config.StatusCode);
        Assert.False(web.App.Board.IsRelayEnergised("door"));
        Assert.False(web.Resident.HasCall);
        Assert.Contains(web.Logs.Lines, l => l.Contains("API token 'test' POST /api/relays/door/open refused: the token's scopes do not include 'operate'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_operate_token_opens_the_door_but_cannot_read_or_change_the_configuration()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var token = await ApiTests.TokenAsync(web, page, scopes: "\"operate\"");
        using var api = web.NewClient();
        var energised = web.RelayEnergised("door");

        using var open = await api.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/door/open", token: token));
        using var get = await api.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/config", token: token));
        using var put = await api.SendAsync(StationWeb.Request(HttpMethod.Put, "/api/config", json: "{}", token: token));
        using var status = await api.SendAsync(StationWeb.Request(HttpMethod.Get, "/api/status", token: token));

        Assert.Equal(HttpStatusCode.Accepted, open.StatusCode);
        await energised.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
    }

    [Theory]
    [InlineData("{\"name\":\"x\"}")]
    [InlineData("{\"name\":\"x\",\"scopes\":[]}")]
    [InlineData("{\"name\":\"x\",\"scopes\":[\"admin\"]}")]
    [InlineData("{\"name\":\"x\",\"scopes\":[\"read\",\"Operate\"]}")]
    public async Task A_token_needs_known_scopes_chosen_at_creation(string body)
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);

        using var create = await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/tokens", csrf, body));

        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Contains("scopes", await create.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_list_shows_each_tokens_scopes()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        await ApiTests.TokenAsync(web, page, csrf, "\"configure\",\"read\"");

        var list = Json.Parse(await page.GetStringAsync("/api/tokens"));

        var scopes = Assert.Single(list.GetProperty("tokens").EnumerateArray()).GetProperty("scopes").EnumerateArray().Select(s => s.GetString());
        Assert.Equal(["read", "configure"], scopes);
    }
}

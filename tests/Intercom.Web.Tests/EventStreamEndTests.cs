using System.Net;

namespace Intercom.Web.Tests;

/// <summary>An event stream ends when the session or token that opened it ends (issue: it kept running after logout or revocation).</summary>
public sealed class EventStreamEndTests
{
    [Fact]
    public async Task A_pages_stream_ends_at_logout()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        using var stream = await EventStreamReader.OpenAsync(page, StationWeb.Request(HttpMethod.Get, "/api/events/stream"));
        await stream.WaitForAsync("status", _ => true);

        using var logout = await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/logout", csrf));

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        await Assert.ThrowsAsync<EndOfStreamException>(() => stream.WaitForAsync("event", _ => true));
    }

    [Fact]
    public async Task A_tokens_stream_ends_when_the_token_is_revoked_and_another_tokens_goes_on()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        var revoked = await ApiTests.TokenAsync(web, page, csrf, "\"read\"");
        var kept = await ApiTests.TokenAsync(web, page, csrf, "\"read\"");
        using var ending = await EventStreamReader.OpenAsync(web.NewClient(), StationWeb.Request(HttpMethod.Get, "/api/events/stream", token: revoked));
        using var going = await EventStreamReader.OpenAsync(web.NewClient(), StationWeb.Request(HttpMethod.Get, "/api/events/stream", token: kept));
        await ending.WaitForAsync("status", _ => true);
        await going.WaitForAsync("status", _ => true);
        var list = Json.Parse(await page.GetStringAsync("/api/tokens")).GetProperty("tokens").EnumerateArray().ToList();
        var id = list[0].GetProperty("id").GetString();

        using var revoke = await page.SendAsync(StationWeb.Request(HttpMethod.Delete, "/api/tokens/" + id, csrf));
        using var open = await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/relays/gate/open", csrf));

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await Assert.ThrowsAsync<EndOfStreamException>(() => ending.WaitForAsync("event", _ => false));
        var opened = await going.WaitForAsync("event", e => e.GetProperty("message").GetString()!.Contains("gate opened", StringComparison.Ordinal));
        Assert.Contains("web page", opened.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}

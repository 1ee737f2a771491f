using System.Net;

namespace Intercom.Web.Tests;

/// <summary>First start, login, sessions, throttling and CSRF, over HTTP against the running station.</summary>
public sealed class AuthTests
{
    public static TheoryData<string, string> ProtectedEndpoints => new()
    {
        { "GET", "/api/status" },
        { "POST", "/api/relays/door/open" },
        { "POST", "/api/relays/door/hold" },
        { "POST", "/api/relays/door/release" },
        { "POST", "/api/call" },
        { "POST", "/api/hangup" },
        { "GET", "/api/config" },
        { "PUT", "/api/config" },
        { "GET", "/api/config/backup" },
        { "GET", "/api/events" },
        { "GET", "/api/events/stream" },
        { "POST", "/api/sim/buttons/button1/press" },
        { "GET", "/api/tokens" },
        { "POST", "/api/tokens" },
        { "DELETE", "/api/tokens/abc" },
        { "POST", "/api/password" },
    };

    [Theory]
    [MemberData(nameof(ProtectedEndpoints))]
    public async Task Every_endpoint_answers_401_without_a_session_or_token(string method, string path)
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        await StationWeb.SetupAsync(web.NewClient());

        using var anonymous = await client.SendAsync(StationWeb.Request(new HttpMethod(method), path, json: "{}"));
        using var badToken = await client.SendAsync(StationWeb.Request(new HttpMethod(method), path, json: "{}", token: "ict_not-a-token"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
        Assert.False(web.App.Board.IsRelayEnergised("door"));
        Assert.False(web.Resident.HasCall);
    }

    [Fact]
    public async Task First_start_has_no_password_and_setup_works_once_with_a_strong_enough_password()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();

        var session = Json.Parse(await client.GetStringAsync("/api/session"));
        Assert.True(session.GetProperty("setupRequired").GetBoolean());
        using var login = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/login", json: "{\"password\":\"\"}"));
        Assert.Equal(HttpStatusCode.Conflict, login.StatusCode);
        using var weak = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: StationWeb.SetupBody(web.Address, "short")));
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);

        using var setup = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: StationWeb.SetupBody(web.Address)));
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var cookie = Assert.Single(setup.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("intercom_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.True(Json.Parse(await client.GetStringAsync("/api/session")).GetProperty("authenticated").GetBoolean());

        using var again = await web.NewClient().SendAsync(StationWeb.Request(HttpMethod.Post, "/api/setup", json: "{\"password\":\"attacker-password\"}"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        // The state file holds a salted PBKDF2 hash, owner-only.
        var statePath = Path.Combine(web.Directory, "web-state.json");
        var state = await File.ReadAllTextAsync(statePath);
        Assert.Contains("PBKDF2-SHA512", state, StringComparison.Ordinal);
        Assert.DoesNotContain(StationWeb.AdminPassword, state, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(statePath));
        web.AssertNoSecretLeaked();
    }

    [Fact]
    public async Task Login_issues_a_new_session_id_each_time_and_ends_the_one_it_came_with()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        await StationWeb.SetupAsync(client);
        var first = web.SessionCookieOf(client);

        await StationWeb.LoginAsync(client);
        var second = web.SessionCookieOf(client);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        using var stale = web.NewClient();
        using var request = StationWeb.Request(HttpMethod.Get, "/api/status");
        request.Headers.Add("Cookie", "intercom_session=" + first);
        using var response = await stale.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/status")).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_are_throttled_and_the_right_one_waits_too()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();
        await StationWeb.SetupAsync(web.NewClient());

        for (var i = 1; i < 5; i++)
        {
            using var wrong = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/login", json: "{\"password\":\"guess-" + i + "\"}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var fifth = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/login", json: "{\"password\":\"guess-5\"}"));
        Assert.Equal((HttpStatusCode)429, fifth.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), fifth.Headers.RetryAfter?.Delta);
        using var right = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/login", json: $"{{\"password\":\"{StationWeb.AdminPassword}\"}}"));
        Assert.Equal((HttpStatusCode)429, right.StatusCode);

        web.Time.Advance(TimeSpan.FromSeconds(31));
        using var later = await client.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/login", json: $"{{\"password\":\"{StationWeb.AdminPassword}\"}}"));
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        Assert.Contains(web.Logs.Lines, l => l.Contains("wrong password from 127.0.0.1", StringComparison.Ordinal));
        web.AssertNoSecretLeaked();
    }

    [Theory]
    [InlineData("open")]
    [InlineData("hold")]
    public async Task A_page_request_needs_its_CSRF_token_and_cross_site_requests_are_refused(string action)
    {
        await using var web = await StationWeb.StartAsync(c => c.Station.Relays.First(r => r.Id == "door").Mode = Station.Configuration.RelayMode.Hold);
        using var client = web.NewClient();
        var csrf = await StationWeb.SetupAsync(client);
        var path = "/api/relays/door/" + action;

        using var noToken = await client.SendAsync(StationWeb.Request(HttpMethod.Post, path));
        using var wrongToken = await client.SendAsync(StationWeb.Request(HttpMethod.Post, path, csrf: csrf[..^1] + "x"));
        var evilOrigin = StationWeb.Request(HttpMethod.Post, path, csrf: csrf);
        evilOrigin.Headers.Add("Origin", "http://evil.example");
        using var fromEvil = await client.SendAsync(evilOrigin);
        var crossSite = StationWeb.Request(HttpMethod.Post, path, csrf: csrf);
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var fromCrossSite = await client.SendAsync(crossSite);

        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromEvil.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromCrossSite.StatusCode);
        Assert.False(web.App.Board.IsRelayEnergised("door"));

        var sameOrigin = StationWeb.Request(HttpMethod.Post, path, csrf: csrf);
        sameOrigin.Headers.Add("Origin", web.Address.GetLeftPart(UriPartial.Authority));
        sameOrigin.Headers.Add("Sec-Fetch-Site", "same-origin");
        var energised = web.RelayEnergised("door");
        using var ok = await client.SendAsync(sameOrigin);
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        await energised.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Logout_and_a_password_change_end_sessions()
    {
        await using var web = await StationWeb.StartAsync();
        using var page = web.NewClient();
        using var other = web.NewClient();
        var csrf = await StationWeb.SetupAsync(page);
        var otherCsrf = await StationWeb.LoginAsync(other);

        using var wrongCurrent = await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/password", csrf, "{\"current\":\"nope-nope\",\"password\":\"a brand new password\"}"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongCurrent.StatusCode);
        using var change = await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/password", csrf, $"{{\"current\":\"{StationWeb.AdminPassword}\",\"password\":\"a brand new password\"}}"));
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/api/status")).StatusCode);
        await StationWeb.LoginAsync(web.NewClient(), "a brand new password");

        using var logout = await page.SendAsync(StationWeb.Request(HttpMethod.Post, "/api/logout", csrf));
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await page.GetAsync("/api/status")).StatusCode);
        _ = otherCsrf;
    }

    [Fact]
    public async Task The_page_is_served_with_a_strict_content_security_policy_and_stays_under_100_KB()
    {
        await using var web = await StationWeb.StartAsync();
        using var client = web.NewClient();

        using var page = await client.GetAsync("/");
        var js = await client.GetAsync("/app.js");
        var css = await client.GetAsync("/app.css");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.InRange(WebServer.PageBytes, 1000, 100 * 1024);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/nothing-here")).StatusCode);
    }
}

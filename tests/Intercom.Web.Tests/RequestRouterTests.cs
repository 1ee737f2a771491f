using Intercom.Web.Routing;
using Microsoft.AspNetCore.Http;

namespace Intercom.Web.Tests;

/// <summary>
/// The page's own router (instead of ASP.NET Core's endpoint routing): methods, "{name}" segments, exact (case-sensitive)
/// paths, 404 and 405, only declared routes, and the access check after the match and before the handler.
/// </summary>
public sealed class RequestRouterTests
{
    private readonly List<string> _handled = [];
    private readonly List<RouteSpec> _authorised = [];
    private readonly RequestRouter _router;
    private bool _allow = true;

    public RequestRouterTests()
    {
        _router = new RequestRouter((ctx, route) =>
        {
            _authorised.Add(route);
            if (!_allow)
            {
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }

            return Task.FromResult(_allow);
        });
        _router.Map(WebRoutes.Page, _ => Handled("page"));
        _router.Map(WebRoutes.Status, _ => Handled("status"));
        _router.Map(WebRoutes.OpenRelay, ctx => Handled("open " + ctx.Request.RouteValues["id"]));
        _router.Map(WebRoutes.RevokeToken, ctx => Handled("revoke " + ctx.Request.RouteValues["id"]));
        _router.Map(WebRoutes.PutConfig, _ => Handled("put config"));
        _router.Map(WebRoutes.GetConfig, _ => Handled("get config"));
    }

    private Task Handled(string what)
    {
        _handled.Add(what);
        return Task.CompletedTask;
    }

    private async Task<HttpContext> SendAsync(string method, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        await _router.DispatchAsync(context);
        return context;
    }

    [Theory]
    [InlineData("GET", "/", "page")]
    [InlineData("GET", "/api/status", "status")]
    [InlineData("POST", "/api/relays/door/open", "open door")]
    [InlineData("POST", "/api/relays/front gate/open", "open front gate")]
    [InlineData("POST", "/api/relays/DOOR/open", "open DOOR")]
    [InlineData("DELETE", "/api/tokens/t1", "revoke t1")]
    [InlineData("PUT", "/api/config", "put config")]
    [InlineData("GET", "/api/config", "get config")]
    public async Task A_route_runs_its_handler_with_its_parameters_after_its_access_check(string method, string path, string expected)
    {
        var context = await SendAsync(method, path);

        Assert.Equal(expected, Assert.Single(_handled));
        Assert.Equal(method, Assert.Single(_authorised).Method);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("/nothing")]
    [InlineData("/api/status/")]
    [InlineData("/API/status")]
    [InlineData("/api/Status")]
    [InlineData("/Api/relays/door/open")]
    [InlineData("/api/relays//open")]
    [InlineData("//api/status")]
    [InlineData("/api//status")]
    [InlineData("/api/relays/door/open/now")]
    [InlineData("/api")]
    [InlineData("")]
    public async Task An_unknown_path_or_another_spelling_is_404_and_reaches_neither_the_check_nor_a_handler(string path)
    {
        var context = await SendAsync("GET", path);

        Assert.Empty(_handled);
        Assert.Empty(_authorised);
        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_known_path_with_another_method_is_405_with_the_allowed_ones()
    {
        var open = await SendAsync("GET", "/api/relays/door/open");
        var config = await SendAsync("DELETE", "/api/config");
        var head = await SendAsync("HEAD", "/api/status");
        var lower = await SendAsync("post", "/api/relays/door/open");

        Assert.Empty(_handled);
        Assert.Empty(_authorised);
        Assert.Equal(StatusCodes.Status405MethodNotAllowed, open.Response.StatusCode);
        Assert.Equal("POST", open.Response.Headers.Allow.ToString());
        Assert.Equal("PUT, GET", config.Response.Headers.Allow.ToString());
        Assert.Equal(StatusCodes.Status405MethodNotAllowed, head.Response.StatusCode);
        Assert.Equal(StatusCodes.Status405MethodNotAllowed, lower.Response.StatusCode);
    }

    [Fact]
    public async Task A_refused_access_check_keeps_the_handler_from_running()
    {
        _allow = false;

        var context = await SendAsync("POST", "/api/relays/door/open");

        Assert.Empty(_handled);
        Assert.Equal(WebRoutes.OpenRelay, Assert.Single(_authorised));
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
    }

    [Fact]
    public void Only_declared_routes_can_be_mapped_and_each_once()
    {
        Assert.Throws<InvalidOperationException>(() => _router.Map(new RouteSpec("POST", "/api/debug", RouteAccess.Public), _ => Task.CompletedTask));
        Assert.Throws<InvalidOperationException>(() => _router.Map(WebRoutes.Status, _ => Task.CompletedTask));
    }

    [Fact]
    public void Every_route_but_the_page_setup_login_and_logout_needs_a_caller()
    {
        var open = WebRoutes.All.Where(r => r.Access == RouteAccess.Public).Select(r => $"{r.Method} {r.Template}");

        Assert.Equal(["GET /", "GET /app.js", "GET /app.css", "GET /api/session", "POST /api/setup", "POST /api/login", "POST /api/logout"], open);
    }
}

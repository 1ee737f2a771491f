using Microsoft.AspNetCore.Http;

namespace Intercom.Web.Tests;

/// <summary>The page's own router (instead of ASP.NET Core's endpoint routing): methods, "{name}" segments, 404 and 405.</summary>
public sealed class RequestRouterTests
{
    private readonly List<string> _handled = [];
    private readonly RequestRouter _router = new();

    public RequestRouterTests()
    {
        _router.MapGet("/", _ => Handled("page"));
        _router.MapGet("/api/status", _ => Handled("status"));
        _router.MapPost("/api/relays/{id}/open", ctx => Handled("open " + ctx.Request.RouteValues["id"]));
        _router.MapDelete("/api/tokens/{id}", ctx => Handled("revoke " + ctx.Request.RouteValues["id"]));
        _router.MapPut("/api/config", _ => Handled("put config"));
        _router.MapGet("/api/config", _ => Handled("get config"));
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
    [InlineData("GET", "/API/Status", "status")]
    [InlineData("POST", "/api/relays/door/open", "open door")]
    [InlineData("POST", "/api/relays/front gate/open", "open front gate")]
    [InlineData("DELETE", "/api/tokens/t1", "revoke t1")]
    [InlineData("PUT", "/api/config", "put config")]
    [InlineData("GET", "/api/config", "get config")]
    public async Task A_route_runs_its_handler_with_its_parameters(string method, string path, string expected)
    {
        var context = await SendAsync(method, path);

        Assert.Equal(expected, Assert.Single(_handled));
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("/nothing")]
    [InlineData("/api/status/")]
    [InlineData("/api/relays//open")]
    [InlineData("/api/relays/door/open/now")]
    [InlineData("/api")]
    public async Task An_unknown_path_is_404(string path)
    {
        var context = await SendAsync("GET", path);

        Assert.Empty(_handled);
        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_known_path_with_another_method_is_405_with_the_allowed_ones()
    {
        var open = await SendAsync("GET", "/api/relays/door/open");
        var config = await SendAsync("DELETE", "/api/config");

        Assert.Empty(_handled);
        Assert.Equal(StatusCodes.Status405MethodNotAllowed, open.Response.StatusCode);
        Assert.Equal("POST", open.Response.Headers.Allow.ToString());
        Assert.Equal("PUT, GET", config.Response.Headers.Allow.ToString());
    }
}

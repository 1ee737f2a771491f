using Microsoft.AspNetCore.Http;

namespace Intercom.Web;

/// <summary>
/// The page's and the API's two dozen routes, matched by method and path segments ("/api/relays/{id}/open"): a
/// "{name}" segment matches one non-empty segment and is passed in <see cref="HttpRequest.RouteValues"/>. ASP.NET
/// Core's endpoint routing (its DFA matcher, route patterns, constraints with their regular expressions, link
/// generation) cost the AOT binary ~0.5 MB for this. Unknown path: 404; known path, other method: 405 with Allow.
/// </summary>
internal sealed class RequestRouter
{
    private readonly List<Route> _routes = [];

    public void MapGet(string template, RequestDelegate handler) => Map(HttpMethods.Get, template, handler);

    public void MapPost(string template, RequestDelegate handler) => Map(HttpMethods.Post, template, handler);

    public void MapPut(string template, RequestDelegate handler) => Map(HttpMethods.Put, template, handler);

    public void MapDelete(string template, RequestDelegate handler) => Map(HttpMethods.Delete, template, handler);

    /// <summary>The last step of the pipeline: runs the matching route's handler.</summary>
    public Task DispatchAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = Segments(request.Path.Value ?? "/");
        List<string>? allowed = null;
        foreach (var route in _routes)
        {
            if (!route.Matches(segments))
            {
                continue;
            }

            if (!HttpMethods.Equals(route.Method, request.Method))
            {
                (allowed ??= []).Add(route.Method);
                continue;
            }

            for (var i = 0; i < route.Segments.Length; i++)
            {
                if (Route.ParameterName(route.Segments[i]) is { } name)
                {
                    request.RouteValues[name] = segments[i];
                }
            }

            return route.Handler(context);
        }

        if (allowed is not null)
        {
            context.Response.Headers.Allow = string.Join(", ", allowed);
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Task.CompletedTask;
    }

    private void Map(string method, string template, RequestDelegate handler) =>
        _routes.Add(new Route(method, Segments(template), handler));

    // "/" is the one path with no segment; "/api/x/" keeps its empty last segment, so it is not "/api/x".
    private static string[] Segments(string path) => path == "/" ? [] : path[1..].Split('/');

    private sealed record Route(string Method, string[] Segments, RequestDelegate Handler)
    {
        public static string? ParameterName(string segment) =>
            segment.Length > 2 && segment[0] == '{' && segment[^1] == '}' ? segment[1..^1] : null;

        public bool Matches(string[] path)
        {
            if (path.Length != Segments.Length)
            {
                return false;
            }

            for (var i = 0; i < path.Length; i++)
            {
                var matches = ParameterName(Segments[i]) is not null
                    ? path[i].Length > 0
                    : string.Equals(path[i], Segments[i], StringComparison.OrdinalIgnoreCase);
                if (!matches)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

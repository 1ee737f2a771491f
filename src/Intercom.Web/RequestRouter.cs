using Intercom.Web.Routing;
using Microsoft.AspNetCore.Http;

namespace Intercom.Web;

/// <summary>
/// The page's and the API's routes, matched by method and path segments ("/api/relays/{id}/open"): a "{name}" segment
/// matches one non-empty segment and is passed in <see cref="HttpRequest.RouteValues"/>; every other segment matches
/// exactly (ordinal, case-sensitive), so "/API/relays/door/open" is not a route at all. Deny by default: only routes
/// declared in <see cref="WebRoutes"/> can be mapped, each with who may call it, and that is checked here, after the
/// match and on the path that matched, before the handler runs (the handlers trust nothing else). Unknown path: 404;
/// known path, other method: 405 with Allow; neither reaches a handler. ASP.NET Core's endpoint routing (its DFA
/// matcher, route patterns, constraints with their regular expressions, link generation) cost the AOT binary ~0.5 MB.
/// </summary>
/// <param name="authorize">Checks the caller against the route's access; false when it has already answered (401/403).</param>
internal sealed class RequestRouter(Func<HttpContext, RouteSpec, Task<bool>> authorize)
{
    private readonly List<Route> _routes = [];

    /// <summary>Every mapped route: the table the security tests check against <see cref="WebRoutes.All"/>.</summary>
    public IReadOnlyList<RouteSpec> Routes => _routes.Select(r => r.Spec).ToList();

    public void Map(RouteSpec spec, RequestDelegate handler)
    {
        if (!WebRoutes.All.Contains(spec))
        {
            throw new InvalidOperationException($"{spec} is not declared in WebRoutes");
        }

        if (_routes.Exists(r => r.Spec == spec))
        {
            throw new InvalidOperationException($"{spec} is mapped twice");
        }

        _routes.Add(new Route(spec, Segments(spec.Template), handler));
    }

    /// <summary>The last step of the pipeline: authorises and runs the matching route's handler.</summary>
    public async Task DispatchAsync(HttpContext context)
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

            if (!string.Equals(route.Spec.Method, request.Method, StringComparison.Ordinal) && !IsWebSocketOverHttp2(context, route.Spec))
            {
                (allowed ??= []).Add(route.Spec.Method);
                continue;
            }

            if (!await authorize(context, route.Spec).ConfigureAwait(false))
            {
                return;
            }

            for (var i = 0; i < route.Segments.Length; i++)
            {
                if (Route.ParameterName(route.Segments[i]) is { } name)
                {
                    request.RouteValues[name] = segments[i];
                }
            }

            await route.Handler(context).ConfigureAwait(false);
            return;
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
    }

    // "/" is the one path with no segment; "/api/x/" keeps its empty last segment, so it is not "/api/x"; a path that
    // does not start with "/" (an absolute-form or asterisk-form target Kestrel passed on) matches nothing.
    private static string[] Segments(string path) =>
        path == "/" ? [] : path.StartsWith('/') ? path[1..].Split('/') : ["\0"];

    private sealed record Route(RouteSpec Spec, string[] Segments, RequestDelegate Handler)
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
                    : string.Equals(path[i], Segments[i], StringComparison.Ordinal);
                if (!matches)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// A WebSocket opened over HTTP/2 (RFC 8441 §4: an extended CONNECT with :protocol websocket, which Chromium uses on
    /// the page's own HTTP/2 connection) for the route of an HTTP/1.1 upgrade (a GET, RFC 6455 §4.1). Only the SIP
    /// WebSocket's route takes one: every other route keeps its one method.
    /// </summary>
    private static bool IsWebSocketOverHttp2(HttpContext context, RouteSpec route) =>
        route.Access == RouteAccess.SipWebSocket && HttpMethods.IsConnect(context.Request.Method) && HttpMethods.IsGet(route.Method)
        && context.WebSockets.IsWebSocketRequest;
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Intercom.Web.Routing;
using Microsoft.Extensions.Logging;

namespace Intercom.Web.Security;

/// <summary>
/// Runs before routing: security headers; cross-site refusal of every state-changing request (Fetch Metadata's
/// Sec-Fetch-Site, then Origin against our own origin); authentication by bearer token or session cookie. After the
/// router matched a route, <see cref="AuthorizeAsync"/> applies the route's declared access (deny by default) and, for
/// the page, the CSRF token (synchroniser token pattern, OWASP CSRF cheat sheet) on every state-changing request. A
/// bearer token is not sent by a browser on its own, so token requests need no CSRF token.
/// </summary>
internal sealed partial class RequestGuard(SessionStore sessions, WebStateStore state, bool https, ILogger log)
{
    public const string CsrfHeader = "X-CSRF-Token";
    private const string CallerKey = "intercom.caller";
    private const string BadTokenKey = "intercom.bad-token";

    public string CookieName { get; } = https ? "__Host-intercom_session" : "intercom_session";

    public static Caller? CallerOf(HttpContext context) => context.Items.TryGetValue(CallerKey, out var c) ? c as Caller : null;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        if (https)
        {
            headers.StrictTransportSecurity = "max-age=31536000";
        }

        if (!IsSafe(request.Method) && !IsSameOrigin(request))
        {
            LogCrossSite(log, request.Method, request.Path.Value ?? "", request.Headers.Origin.ToString());
            await Refuse(context, StatusCodes.Status403Forbidden, "cross-site request refused").ConfigureAwait(false);
            return;
        }

        // Who is calling (page session, token or nobody) is found here; what they may do is decided by the router once a
        // route matched (AuthorizeAsync), on the path it matched: no spelling of a path can pass one and fail the other.
        var caller = Authenticate(context, out var usedToken);
        if (caller is not null)
        {
            context.Items[CallerKey] = caller;
        }
        else if (usedToken)
        {
            context.Items[BadTokenKey] = true;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// The route's access rule for this caller: nobody (401), a token without the route's scope or on a page-only route
    /// (403), and for the page the CSRF token on every state-changing request. False when the request has been answered.
    /// </summary>
    public async Task<bool> AuthorizeAsync(HttpContext context, RouteSpec route)
    {
        if (route.Access is RouteAccess.Public or RouteAccess.SipWebSocket)
        {
            // The SIP WebSocket's requests authenticate in the SIP layer, each of them (RFC 7118 §7); its handshake checks
            // the Origin itself (SipWebSocketEndpoint).
            // Setup, login and logout carry no CSRF token (there may be no session yet); the cross-site check covers them.
            return true;
        }

        var request = context.Request;
        var caller = CallerOf(context);
        if (caller is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var error = context.Items.ContainsKey(BadTokenKey) ? "invalid token" : "login or an API token is required";
            await Refuse(context, StatusCodes.Status401Unauthorized, error).ConfigureAwait(false);
            return false;
        }

        if (route.Access == RouteAccess.PageOnly && caller.Session is null)
        {
            await Refuse(context, StatusCodes.Status403Forbidden, "only the logged-in page may do this").ConfigureAwait(false);
            return false;
        }

        if (TokenScopes.For(route.Access) is { } scope && !caller.HasScope(scope))
        {
            LogScope(log, caller.Description, request.Method, request.Path.Value ?? "", scope);
            await Refuse(context, StatusCodes.Status403Forbidden, $"this token's scopes do not include '{scope}'").ConfigureAwait(false);
            return false;
        }

        if (caller.Session is { } session && !IsSafe(request.Method) && !CsrfMatches(request, session))
        {
            LogCsrf(log, request.Method, request.Path.Value ?? "");
            await Refuse(context, StatusCodes.Status403Forbidden, "missing or wrong CSRF token").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    public void SetSessionCookie(HttpContext context, WebSession session) =>
        context.Response.Cookies.Append(CookieName, session.Id, new CookieOptions
        {
            HttpOnly = true,
            Secure = https,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });

    public void DeleteSessionCookie(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, new CookieOptions { HttpOnly = true, Secure = https, SameSite = SameSiteMode.Strict, Path = "/" });

    public string? SessionIdOf(HttpContext context) => context.Request.Cookies[CookieName];

    public static Task Refuse(HttpContext context, int status, string error)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new Api.ErrorResponse(error), WebJsonContext.Default.ErrorResponse);
    }

    // Fetch Metadata (W3C): a browser says where a request comes from; "none" is the user typing the address.
    // Origin (RFC 6454 §7) is the fallback for browsers without it; clients like curl send neither and are let through.
    private static bool IsSameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    private static bool CsrfMatches(HttpRequest request, WebSession session)
    {
        var sent = request.Headers[CsrfHeader].ToString();
        return sent.Length == session.Csrf.Length
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sent), Encoding.ASCII.GetBytes(session.Csrf));
    }

    private Caller? Authenticate(HttpContext context, out bool usedToken)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        usedToken = authorization.Length > 0;
        if (usedToken)
        {
            // RFC 6750 §2.1: "Bearer" and the token; the scheme name is case-insensitive.
            return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                && state.FindToken(authorization.AsSpan(7).Trim()) is { } token
                ? new Caller(null, token)
                : null;
        }

        return sessions.Find(SessionIdOf(context)) is { } session ? new Caller(session, null) : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: cross-site {Method} {Path} refused (Origin '{Origin}')")]
    private static partial void LogCrossSite(ILogger logger, string method, string path, string origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: {Caller} {Method} {Path} refused: the token's scopes do not include '{Scope}'")]
    private static partial void LogScope(ILogger logger, string caller, string method, string path, string scope);

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: {Method} {Path} refused: missing or wrong CSRF token")]
    private static partial void LogCsrf(ILogger logger, string method, string path);
}

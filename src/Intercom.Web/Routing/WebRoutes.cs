using Microsoft.AspNetCore.Http;

namespace Intercom.Web.Routing;

/// <summary>
/// Every route the web server answers, with who may call it: the one list the router is built from (a route that is not
/// here cannot be mapped) and that the security tests enumerate. Paths are matched exactly as written here (ordinal,
/// case-sensitive: the API is documented in lower case); Kestrel has already decoded percent-escapes and removed dot
/// segments before the router sees the path, so the match and the access check run on that one normalised path.
/// </summary>
internal static class WebRoutes
{
    public static readonly RouteSpec Page = Get("/", RouteAccess.Public);
    public static readonly RouteSpec Script = Get("/app.js", RouteAccess.Public);
    public static readonly RouteSpec Style = Get("/app.css", RouteAccess.Public);
    public static readonly RouteSpec Session = Get("/api/session", RouteAccess.Public);
    public static readonly RouteSpec Setup = Post("/api/setup", RouteAccess.Public);
    public static readonly RouteSpec Login = Post("/api/login", RouteAccess.Public);
    public static readonly RouteSpec Logout = Post("/api/logout", RouteAccess.Public);
    public static readonly RouteSpec Password = Post("/api/password", RouteAccess.PageOnly);
    public static readonly RouteSpec Status = Get("/api/status", RouteAccess.Read);
    public static readonly RouteSpec OpenRelay = Post("/api/relays/{id}/open", RouteAccess.Operate);
    public static readonly RouteSpec HoldRelay = Post("/api/relays/{id}/hold", RouteAccess.Operate);
    public static readonly RouteSpec ReleaseRelay = Post("/api/relays/{id}/release", RouteAccess.Operate);
    public static readonly RouteSpec Call = Post("/api/call", RouteAccess.Operate);
    public static readonly RouteSpec HangUp = Post("/api/hangup", RouteAccess.Operate);

    /// <summary>The page phone's Open door in a call: the page's session only, since it names the web user in the call.</summary>
    public static readonly RouteSpec OpenDoorInCall = Post("/api/call/open-door", RouteAccess.PageOnly);
    public static readonly RouteSpec GetConfig = Get("/api/config", RouteAccess.Configure);
    public static readonly RouteSpec PutConfig = new(HttpMethods.Put, "/api/config", RouteAccess.Configure);
    public static readonly RouteSpec Backup = Get("/api/config/backup", RouteAccess.Configure);
    public static readonly RouteSpec Events = Get("/api/events", RouteAccess.Read);
    public static readonly RouteSpec EventStream = Get("/api/events/stream", RouteAccess.Read);
    public static readonly RouteSpec PressButton = Post("/api/sim/buttons/{id}/press", RouteAccess.Operate);
    public static readonly RouteSpec ListTokens = Get("/api/tokens", RouteAccess.PageOnly);
    public static readonly RouteSpec CreateToken = Post("/api/tokens", RouteAccess.PageOnly);
    public static readonly RouteSpec RevokeToken = new(HttpMethods.Delete, "/api/tokens/{id}", RouteAccess.PageOnly);
    public static readonly RouteSpec Firmware = Post("/api/firmware", RouteAccess.Configure);
    public static readonly RouteSpec SipWebSocket = Get("/sip", RouteAccess.SipWebSocket);

    public static IReadOnlyList<RouteSpec> All { get; } =
    [
        Page, Script, Style, Session, Setup, Login, Logout, Password, Status, OpenRelay, HoldRelay, ReleaseRelay, Call, HangUp,
        OpenDoorInCall, GetConfig, PutConfig, Backup, Events, EventStream, PressButton, ListTokens, CreateToken, RevokeToken, Firmware,
        SipWebSocket,
    ];

    private static RouteSpec Get(string template, RouteAccess access) => new(HttpMethods.Get, template, access);

    private static RouteSpec Post(string template, RouteAccess access) => new(HttpMethods.Post, template, access);
}

namespace Intercom.Web.Routing;

/// <summary>
/// Who may call a route. Every route declares one (<see cref="WebRoutes"/>); the router checks it after matching, on the
/// same path it matched, so no spelling of a path can reach a handler past the check. Anything not declared is not routed.
/// </summary>
internal enum RouteAccess
{
    /// <summary>Anyone: the page's files, the session probe, first-start setup, login and logout.</summary>
    Public,

    /// <summary>The logged-in page, or a token with the "read" scope: status and events.</summary>
    Read,

    /// <summary>The logged-in page, or a token with the "operate" scope: open, hold or release a relay, call, hang up, press a simulated button.</summary>
    Operate,

    /// <summary>The logged-in page, or a token with the "configure" scope: read and replace the configuration.</summary>
    Configure,

    /// <summary>Only the logged-in page, never a token: tokens, the admin password.</summary>
    PageOnly,

    /// <summary>
    /// The SIP WebSocket (RFC 7118): anyone may open one from the station's own origin (or with no Origin: not a browser),
    /// and every SIP request over it then authenticates as over UDP, TCP or TLS (the SIP layer's digest challenge). No
    /// session or token is asked here; nothing but an upgrade to the "sip" subprotocol is answered other than 403.
    /// </summary>
    SipWebSocket,
}

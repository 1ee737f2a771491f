using System.Net;
using System.Net.WebSockets;
using Intercom.Web.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Intercom.Web.Sip;

/// <summary>
/// GET /sip: the WebSocket handshake of SIP over WebSocket (RFC 7118 §4), then the connection handed to the SIP stack.
/// Refused with 403 (and nothing upgraded) unless SIP over WebSocket is on for this scheme (web.sipWebSocket; plain ws
/// only with web.sipWebSocketPlain), the request is a WebSocket upgrade, the client asks for the "sip" subprotocol (§4.1:
/// the server must not accept a connection without it), and the Origin is the station's own (<see cref="WebSocketOrigin"/>).
/// What follows over the connection is SIP, authenticated there; a logged-in page's WebSocket carries its web user, which
/// lets that connection's REGISTER and INVITE in without a digest (the page's own browser phone), and nothing else; the
/// connection ends with that session (<see cref="PageSessionWatch"/>).
/// </summary>
internal sealed partial class SipWebSocketEndpoint(SipWebSocketHandler? handler, bool https, bool plainAllowed, SessionStore sessions, TimeProvider time, ILogger log)
{
    /// <summary>The WebSocket subprotocol of RFC 7118 §4.1 (IANA WebSocket Subprotocol Name Registry).</summary>
    public const string Subprotocol = "sip";

    /// <summary>The page's one web user (the administrator): the name its browser phone registers as ("web:admin").</summary>
    public const string AdminUser = Caller.AdminUser;

    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);
    private long _nextLogTicks;

    public async Task ServeAsync(HttpContext context)
    {
        if (handler is null || (!https && !plainAllowed))
        {
            await RequestGuard.Refuse(context, StatusCodes.Status403Forbidden, "SIP over WebSocket is off (web.sipWebSocket)").ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RequestGuard.Refuse(context, StatusCodes.Status403Forbidden, "a WebSocket upgrade with the 'sip' subprotocol is required").ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        if (!WebSocketOrigin.IsAllowed(origin, request.Scheme, request.Host))
        {
            Log(context, "Origin is not the station's own");
            await RequestGuard.Refuse(context, StatusCodes.Status403Forbidden, "cross-site WebSocket refused").ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(Subprotocol, StringComparer.Ordinal))
        {
            await RequestGuard.Refuse(context, StatusCodes.Status403Forbidden, "the 'sip' WebSocket subprotocol is required (RFC 7118)").ConfigureAwait(false);
            return;
        }

        var webUser = PageUser(context, origin);
        var sessionId = webUser is null ? null : RequestGuard.CallerOf(context)?.Session?.Id;
        var connection = context.Connection;
        var remote = new IPEndPoint(connection.RemoteIpAddress ?? IPAddress.None, connection.RemotePort);
        var local = new IPEndPoint(connection.LocalIpAddress ?? IPAddress.None, connection.LocalPort);
        var webSocket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = Subprotocol,
            // A ping frame now and then keeps NAT and proxies from dropping an idle phone's connection; SIP traffic,
            // not these, keeps it from the transport's idle timeout.
            KeepAliveInterval = TimeSpan.FromSeconds(30),
        }).ConfigureAwait(false);
        using (webSocket)
        using (sessionId is null ? null : new PageSessionWatch(sessions, sessionId, webSocket, time))
        {
            await handler(webSocket, https, remote, local, webUser).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The web user a WebSocket is opened for: only the station's own page, so only with an Origin, which
    /// <see cref="WebSocketOrigin"/> has just found to be the station's (a handshake without one is no browser and proves
    /// no session, whatever cookie it carries), and only for a session whose user may operate the door (the role a
    /// browser phone needs: it answers the door's calls and opens it). The page has one user, the administrator.
    /// </summary>
    private static string? PageUser(HttpContext context, string origin) =>
        origin.Length > 0 && RequestGuard.CallerOf(context) is { WebUser: { } user } caller && caller.HasScope(TokenScopes.Operate)
            ? user : null;

    private void Log(HttpContext context, string reason)
    {
        // At most a line a minute: a hostile page can retry in a loop.
        var now = time.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextLogTicks);
        if (now >= due && Interlocked.CompareExchange(ref _nextLogTicks, now + LogInterval.Ticks, due) == due)
        {
            var origin = context.Request.Headers.Origin.ToString();
            LogRefused(log, context.Connection.RemoteIpAddress?.ToString() ?? "?", origin.Length > 100 ? origin[..100] : origin, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: SIP WebSocket from {Remote} refused (Origin '{Origin}'): {Reason}")]
    private static partial void LogRefused(ILogger logger, string remote, string origin, string reason);
}

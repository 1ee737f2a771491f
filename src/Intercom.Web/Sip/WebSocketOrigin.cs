using Microsoft.AspNetCore.Http;

namespace Intercom.Web.Sip;

/// <summary>
/// The cross-site WebSocket hijacking check (RFC 6455 §10.2): a browser opens a WebSocket for any page it shows and
/// sends the page's origin, cookies included, from the resident's own address. So a handshake that names an origin must
/// name the station's own — the scheme and Host of the request itself, which <see cref="Security.HostFilter"/> has
/// already restricted to the station's names. A handshake without Origin comes from no browser (a desktop SIP client):
/// it can hijack nothing and is let through, to authenticate like any other SIP client.
/// </summary>
internal static class WebSocketOrigin
{
    /// <summary>True when <paramref name="origin"/> is empty or is exactly this request's own origin (RFC 6454 §6.1, ASCII, case-insensitive).</summary>
    public static bool IsAllowed(string origin, string scheme, HostString host)
    {
        if (origin.Length == 0)
        {
            return true;
        }

        // "null" (a sandboxed frame, a file: page) and every other site are refused alike; so is a second Origin value
        // (the header joined with a comma by the server).
        var own = scheme.Length + 3 + host.Value?.Length;
        return origin.Length == own
            && origin.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && origin.AsSpan(scheme.Length).StartsWith("://", StringComparison.Ordinal)
            && origin.AsSpan(scheme.Length + 3).Equals(host.Value, StringComparison.OrdinalIgnoreCase);
    }
}

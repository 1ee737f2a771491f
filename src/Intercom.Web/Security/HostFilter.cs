using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Intercom.Web.Security;

/// <summary>
/// Refuses requests for a Host the station is not (DNS rebinding: a page of another site whose name an attacker then
/// points at the station's address, read by the resident's own browser on the home network). Runs before everything
/// else, for the page and the API. Allowed: an IP address (dotted-quad IPv4 or a bracketed IPv6 literal: no name to
/// rebind), <c>localhost</c>, the device's host name (also its first label and <c>NAME.local</c>, mDNS), and the names
/// of <c>web.allowedHosts</c>; case-insensitive, port ignored, one trailing dot allowed. A request without a Host
/// (HTTP/1.0; a browser always sends one) passes. Anything else gets 421 Misdirected Request (RFC 9110 §15.5.20).
/// </summary>
internal sealed partial class HostFilter
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);
    private readonly HashSet<string> _allowed;
    private readonly Func<string> _hostName;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private long _nextLogTicks;

    /// <param name="allowedHosts">The configuration's web.allowedHosts.</param>
    /// <param name="time">Clock for the refusal log's rate limit.</param>
    /// <param name="log">Where refusals are logged (at most one line a minute: a rebinding page may retry in a loop).</param>
    /// <param name="hostName">The device's host name, read at each request (it may be set after start); tests pass their own.</param>
    public HostFilter(IEnumerable<string> allowedHosts, TimeProvider time, ILogger log, Func<string>? hostName = null)
    {
        _allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost" };
        foreach (var name in allowedHosts)
        {
            _allowed.Add(WithoutRootDot(name));
        }

        _hostName = hostName ?? Dns.GetHostName;
        _time = time;
        _log = log;
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var host = context.Request.Host;
        if (!host.HasValue || IsAllowed(host.Host))
        {
            return next(context);
        }

        var now = _time.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextLogTicks);
        if (now >= due && Interlocked.CompareExchange(ref _nextLogTicks, now + LogInterval.Ticks, due) == due)
        {
            LogRefused(_log, host.Host.Length > 100 ? host.Host[..100] : host.Host, context.Connection.RemoteIpAddress?.ToString() ?? "?");
        }

        return RequestGuard.Refuse(context, StatusCodes.Status421MisdirectedRequest,
            "this station does not answer to that host name: use its address, or add the name to web.allowedHosts");
    }

    /// <summary>True when <paramref name="host"/> (a Host header without its port) names this station.</summary>
    public bool IsAllowed(string host)
    {
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        // Only the canonical dotted quad: "127.1" or "0x7f.1" are refused rather than reasoned about (browsers send the canonical form).
        if (IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork)
        {
            return v4.ToString() == host;
        }

        var name = WithoutRootDot(host);
        if (_allowed.Contains(name))
        {
            return true;
        }

        var own = WithoutRootDot(_hostName());
        if (own.Length == 0)
        {
            return false;
        }

        var label = own.Split('.')[0];
        return name.Equals(own, StringComparison.OrdinalIgnoreCase)
            || name.Equals(label, StringComparison.OrdinalIgnoreCase)
            || name.Equals(label + ".local", StringComparison.OrdinalIgnoreCase);
    }

    private static string WithoutRootDot(string name) => name.EndsWith('.') ? name[..^1] : name;

    [LoggerMessage(Level = LogLevel.Warning, Message = "web: request for host '{Host}' from {Remote} refused (not this station's name: DNS rebinding, or a name missing from web.allowedHosts)")]
    private static partial void LogRefused(ILogger logger, string host, string remote);
}

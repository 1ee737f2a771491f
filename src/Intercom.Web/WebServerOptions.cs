using Microsoft.Extensions.Logging;

namespace Intercom.Web;

/// <summary>How the app starts the web layer; the port, address and HTTPS come from the configuration's "web" section.</summary>
public sealed class WebServerOptions
{
    /// <summary>Where web-state.json (password and token hashes) and a generated HTTPS certificate are kept: beside the configuration.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>The app's logging (journald format); only warnings of the HTTP stack itself are passed on.</summary>
    public required ILoggerFactory Logs { get; init; }

    /// <summary>Clock for sessions and login throttling.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The SIP stack's WebSocket transport (RFC 7118), when web.sipWebSocket is on; null: GET /sip refuses.</summary>
    public Sip.SipWebSocketHandler? SipWebSocket { get; init; }
}

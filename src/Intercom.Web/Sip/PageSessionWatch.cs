using System.Net.WebSockets;
using Intercom.Web.Security;

namespace Intercom.Web.Sip;

/// <summary>
/// Ends a page's SIP WebSocket when the session that opened it ends: at a logout or a password change at once
/// (<see cref="SessionStore.Ended"/>), at its idle or absolute expiry within a minute. The connection is what a browser
/// phone's registration and calls are bound to, so they end with the session, as the page's event stream does; a
/// session must not outlive itself as a door phone.
/// </summary>
internal sealed class PageSessionWatch : IDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    private readonly SessionStore _sessions;
    private readonly string _sessionId;
    private readonly WebSocket _socket;
    private readonly ITimer _timer;

    public PageSessionWatch(SessionStore sessions, string sessionId, WebSocket socket, TimeProvider time)
    {
        _sessions = sessions;
        _sessionId = sessionId;
        _socket = socket;
        _sessions.Ended += Check;
        _timer = time.CreateTimer(static s => ((PageSessionWatch)s!).Check(), this, CheckInterval, CheckInterval);
    }

    private void Check()
    {
        if (!_sessions.IsLive(_sessionId))
        {
            // Abort, not a close handshake: the session's end is not the client's to delay.
            _socket.Abort();
        }
    }

    public void Dispose()
    {
        _sessions.Ended -= Check;
        _timer.Dispose();
    }
}

using System.Security.Cryptography;

namespace Intercom.Web.Security;

/// <summary>
/// Page sessions, in memory (a restart logs everyone out). Ids are 256 random bits and only ever issued by the server:
/// a login always creates a new session and ends the one the request came with, so an id planted before login is
/// worthless (no session fixation). Sessions end after an idle time and, whatever happens, after twelve hours.
/// </summary>
internal sealed class SessionStore(TimeProvider time, TimeSpan idle)
{
    private const int MaxSessions = 32;
    private static readonly TimeSpan Absolute = TimeSpan.FromHours(12);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, WebSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>
    /// A session was ended on purpose (logout, password change), raised outside the lock; expiry raises nothing, it is
    /// found by <see cref="IsLive"/>.
    /// </summary>
    public event Action? Ended;

    public WebSession Create(string? replacing)
    {
        var now = time.GetUtcNow();
        var session = new WebSession(NewSecret(), NewSecret(), now);
        lock (_gate)
        {
            if (replacing is not null)
            {
                _sessions.Remove(replacing);
            }

            Prune(now);
            if (_sessions.Count >= MaxSessions)
            {
                // The oldest goes: a flood of logins cannot grow memory without bound.
                WebSession? oldest = null;
                foreach (var s in _sessions.Values)
                {
                    if (oldest is null || s.LastSeenAt < oldest.LastSeenAt)
                    {
                        oldest = s;
                    }
                }

                _sessions.Remove(oldest!.Id);
            }

            _sessions[session.Id] = session;
        }

        return session;
    }

    /// <summary>The live session with this id, its idle clock restarted; null when unknown or expired.</summary>
    public WebSession? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 100)
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_sessions.TryGetValue(id, out var session))
            {
                return null;
            }

            if (Expired(session, now))
            {
                _sessions.Remove(id);
                return null;
            }

            session.LastSeenAt = now;
            return session;
        }
    }

    /// <summary>Whether the session still exists and has not expired (without restarting its idle clock: a stream is not activity).</summary>
    public bool IsLive(string id)
    {
        lock (_gate)
        {
            return _sessions.TryGetValue(id, out var session) && !Expired(session, time.GetUtcNow());
        }
    }

    public void End(string? id)
    {
        if (id is null)
        {
            return;
        }

        bool removed;
        lock (_gate)
        {
            removed = _sessions.Remove(id);
        }

        if (removed)
        {
            Ended?.Invoke();
        }
    }

    /// <summary>After a password change: every other session ends.</summary>
    public void EndAllExcept(string? id)
    {
        var removed = false;
        lock (_gate)
        {
            foreach (var key in _sessions.Keys.ToList())
            {
                if (key != id)
                {
                    removed |= _sessions.Remove(key);
                }
            }
        }

        if (removed)
        {
            Ended?.Invoke();
        }
    }

    private bool Expired(WebSession s, DateTimeOffset now) => now - s.LastSeenAt > idle || now - s.CreatedAt > Absolute;

    private void Prune(DateTimeOffset now)
    {
        foreach (var s in _sessions.Values.ToList())
        {
            if (Expired(s, now))
            {
                _sessions.Remove(s.Id);
            }
        }
    }

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

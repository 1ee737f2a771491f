namespace Intercom.Web.Security;

/// <summary>Who made a request: the page (a session cookie) or a client holding an API token.</summary>
/// <param name="Session">The page's session, or null for a token.</param>
/// <param name="Token">The token, or null for the page.</param>
internal sealed record Caller(WebSession? Session, StoredToken? Token)
{
    /// <summary>For the event log: "web page" or "API token 'home-assistant'".</summary>
    public string Description => Session is not null ? "web page" : $"API token '{Token?.Name}'";

    /// <summary>The page's one web user, the administrator: the name its browser phone registers as ("web:admin").</summary>
    public const string AdminUser = "admin";

    /// <summary>The web user of the page's session (the page has one, <see cref="AdminUser"/>); null for a token.</summary>
    public string? WebUser => Session is not null ? AdminUser : null;

    /// <summary>The page may do everything a route allows it; a token only what its scopes name.</summary>
    public bool HasScope(string scope) => Session is not null || (Token is not null && Token.EffectiveScopes.Contains(scope, StringComparer.Ordinal));
}

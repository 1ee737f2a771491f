namespace Intercom.Web.Security;

/// <summary>Who made a request: the page (a session cookie) or a client holding an API token.</summary>
/// <param name="Session">The page's session, or null for a token.</param>
/// <param name="TokenName">The token's name, or null for the page.</param>
internal sealed record Caller(WebSession? Session, string? TokenName)
{
    /// <summary>For the event log: "web page" or "API token 'home-assistant'".</summary>
    public string Description => Session is not null ? "web page" : $"API token '{TokenName}'";
}

namespace Intercom.Web.Security;

/// <summary>A logged-in page: its secret id (the cookie), its CSRF token and its age.</summary>
internal sealed class WebSession(string id, string csrf, DateTimeOffset createdAt)
{
    public string Id { get; } = id;

    /// <summary>Sent back by the page in X-CSRF-Token on every state-changing request.</summary>
    public string Csrf { get; } = csrf;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset LastSeenAt { get; set; } = createdAt;
}

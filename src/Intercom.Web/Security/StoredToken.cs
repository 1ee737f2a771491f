namespace Intercom.Web.Security;

/// <summary>An API bearer token as kept in the state file: its SHA-256, never the token itself.</summary>
internal sealed class StoredToken
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Hex SHA-256 of the token. Tokens are 256 random bits, so a fast hash is enough (no dictionary to attack).</summary>
    public string Sha256 { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>What the token may do (<see cref="TokenScopes"/>); null for a token made before scopes: all of them.</summary>
    public List<string>? Scopes { get; set; }

    public IReadOnlyList<string> EffectiveScopes => Scopes ?? TokenScopes.All;
}

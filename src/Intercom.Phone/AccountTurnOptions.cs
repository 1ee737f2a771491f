namespace Intercom.Phone;

/// <summary>
/// One account's TURN relay for its calls (accounts[].nat.turn, RFC 8656): the servers, tried in order, and the long-term
/// credential they share (RFC 8489 §9.2). Compared by value; <see cref="ToString"/> never shows the password.
/// </summary>
public sealed record AccountTurnOptions
{
    public IReadOnlyList<AccountTurnServer> Servers { get; init; } = [];

    public string Username { get; init; } = "";

    /// <summary>Write-only configuration: it leaves the station only as a MESSAGE-INTEGRITY key.</summary>
    public string Password { get; init; } = "";

    public bool Equals(AccountTurnOptions? other) =>
        other is not null && Username == other.Username && Password == other.Password && Servers.SequenceEqual(other.Servers);

    public override int GetHashCode() => HashCode.Combine(Servers.Count, Username);

    public override string ToString() => $"TURN {string.Join(", ", Servers.Select(s => $"{s.Transport} {s.Host}:{s.Port}"))} as '{Username}'";
}

namespace Intercom.Media.Turn;

/// <summary>
/// The long-term credential of a TURN account (RFC 8489 §9.2, RFC 8656 §5): a user name and its password. The password
/// only ever leaves as a key (MD5 or SHA-256 of user, realm and password); <see cref="ToString"/> names the user alone.
/// </summary>
public sealed class TurnCredentials
{
    public TurnCredentials(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        Username = username;
        Password = password;
    }

    /// <summary>The user name (USERNAME, or hashed into USERHASH when the server asks for anonymity).</summary>
    public string Username { get; }

    /// <summary>The password: write-only configuration, never logged.</summary>
    public string Password { get; }

    public override string ToString() => $"TURN user '{Username}'";
}

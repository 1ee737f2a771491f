namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// A user name and password for digest authentication (RFC 3261 §22.1). <paramref name="Realm"/> limits them to one
/// protection space; null answers any realm (the usual single-account door station).
/// </summary>
/// <param name="Username">The authentication user (often, but not always, the AOR's user part).</param>
/// <param name="Password">The password; never logged.</param>
/// <param name="Realm">The realm these credentials answer, or null for any.</param>
public sealed record DigestCredentials(string Username, string Password, string? Realm = null)
{
    /// <summary>Keeps the password out of logs and exception messages.</summary>
    public override string ToString() => Realm is null ? $"{Username} (any realm)" : $"{Username}@{Realm}";
}

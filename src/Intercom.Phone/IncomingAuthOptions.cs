using Intercom.Sip.UserAgent.Authentication;

namespace Intercom.Phone;

/// <summary>
/// The digest challenge of calls that come neither through an account's server nor from a trusted network (RFC 3261
/// §22.4, RFC 7616): the realm, the one user and password callers answer with, the algorithms offered. By value.
/// </summary>
public sealed record IncomingAuthOptions(string Realm, string Username, string Password, IReadOnlyList<DigestAlgorithm> Algorithms)
{
    public bool Equals(IncomingAuthOptions? other) => other is not null && Realm == other.Realm && Username == other.Username
        && Password == other.Password && Algorithms.SequenceEqual(other.Algorithms);

    public override int GetHashCode() => HashCode.Combine(Realm, Username, Password, Algorithms.Count);

    /// <summary>The user agent's check with these options (fresh nonces).</summary>
    internal IncomingDigestAuthentication Create(TimeProvider time) =>
        new(Realm, new DigestCredentials(Username, Password), time, [.. Algorithms]);
}

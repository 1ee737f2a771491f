namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>What <see cref="DigestAuthenticator.HandleChallenge"/> concluded from a 401 or 407.</summary>
public enum DigestChallengeOutcome
{
    /// <summary>Credentials are ready: build the request again (new CSeq, new branch) and call <see cref="DigestAuthenticator.Authorize"/>.</summary>
    Authorized,

    /// <summary>
    /// The server challenged again for a realm whose fresh credentials were just sent, without stale=true: the user name
    /// or password is wrong (RFC 3261 §22.2, §22.3). Do not retry with the same credentials.
    /// </summary>
    CredentialsRejected,

    /// <summary>No credentials match any realm challenged.</summary>
    NoCredentials,

    /// <summary>No challenge could be answered: not Digest, an unknown algorithm, an unknown qop, or not a 401/407.</summary>
    Unsupported,

    /// <summary>
    /// The challenge came from a server other than the account's registrar or proxy (not over the account's flow): the
    /// credentials are not sent (<see cref="BoundDigestAuthenticator"/>).
    /// </summary>
    ForeignServer,

    /// <summary>
    /// The challenge names no realm the account's registrar uses (a callee or another domain asking): the credentials are
    /// not sent, since a digest for a realm of the challenger's choosing is an offline guessing oracle for the password.
    /// </summary>
    ForeignRealm,
}

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>What <see cref="DigestVerifier.Verify"/> found; anything but <see cref="Accepted"/> is answered with a new challenge (or 403).</summary>
public enum DigestVerification
{
    /// <summary>Valid credentials with a fresh nonce and a nonce-count not seen before.</summary>
    Accepted,

    /// <summary>No Digest credentials for this realm: send a challenge.</summary>
    Missing,

    /// <summary>Credentials that cannot be checked: fields missing, another algorithm or qop, a digest-uri not the Request-URI.</summary>
    Malformed,

    /// <summary>The nonce was not made by this verifier (forged, or a secret from before a restart changed).</summary>
    InvalidNonce,

    /// <summary>The user is not known.</summary>
    UnknownUser,

    /// <summary>The request-digest is wrong: a wrong password.</summary>
    WrongCredentials,

    /// <summary>The digest is right but the nonce expired or was forgotten: challenge again with stale=true (RFC 2617 §3.2.1).</summary>
    Stale,

    /// <summary>This nonce-count (or, without qop, this nonce) was already used: a replay (RFC 2617 §3.2.2, RFC 7616 §3.4.5).</summary>
    Replayed,

    /// <summary>The source gave wrong credentials too often lately and is refused without a check (online guessing).</summary>
    LockedOut,
}

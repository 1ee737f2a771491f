using Intercom.Sip.Messages;

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// Digest authentication of the requests a UAS receives (RFC 3261 §22.1, §22.4), for a station called directly by a
/// phone with no PBX in front to authenticate the caller. A request without valid credentials is answered 401 with
/// fresh challenges: SHA-256 first, then (if allowed) MD5 for phones that know no better (RFC 8760 §2.4, RFC 7616
/// §3.7). Each nonce carries its issue time under an HMAC and expires after <see cref="DigestVerifierOptions.NonceLifetime"/>;
/// qop=auth is required and a nonce-count may be used once, so a captured request replayed — as it was, or with new
/// Call-ID, tags and branch — is refused (RFC 7616 §3.4.5). One user, one password. Not thread-safe: the SIP loop owns it.
/// </summary>
public sealed class IncomingDigestAuthentication
{
    private readonly DigestCredentials _credentials;
    private readonly DigestVerifier _sha256;
    private readonly DigestVerifier? _md5;

    /// <param name="realm">The protection space named in challenges (RFC 3261 §22.1: e.g. the station's host name).</param>
    /// <param name="credentials">The one user callers must authenticate as.</param>
    /// <param name="time">The clock nonces are dated by.</param>
    /// <param name="allowMd5">Also accept MD5 (and offer it after SHA-256).</param>
    /// <param name="nonceLifetime">How long a nonce is good; 5 minutes by default.</param>
    public IncomingDigestAuthentication(string realm, DigestCredentials credentials, TimeProvider time, bool allowMd5 = true, TimeSpan? nonceLifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(realm);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        _credentials = credentials;
        var lifetime = nonceLifetime ?? new DigestVerifierOptions().NonceLifetime;
        _sha256 = new DigestVerifier(realm, time, new DigestVerifierOptions { Algorithm = DigestAlgorithm.Sha256, NonceLifetime = lifetime });
        _md5 = allowMd5 ? new DigestVerifier(realm, time, new DigestVerifierOptions { Algorithm = DigestAlgorithm.Md5, NonceLifetime = lifetime }) : null;
    }

    /// <summary>The realm of the challenges.</summary>
    public string Realm => _sha256.Realm;

    /// <summary>Checks the Authorization of <paramref name="request"/>; anything but Accepted is to be answered with <see cref="Challenge"/>.</summary>
    public DigestVerification Verify(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (DigestAuthorization credentials in DigestAuthorization.ReadAll(request, SipHeaderNames.Authorization))
        {
            if (!string.Equals(credentials.Realm, Realm, StringComparison.Ordinal))
            {
                continue;
            }

            // RFC 2617 §3.2.2: no algorithm parameter means MD5.
            DigestAlgorithm algorithm = DigestAlgorithm.Md5;
            if (credentials.AlgorithmName is { } name && !DigestAlgorithms.TryParse(name, out algorithm))
            {
                return DigestVerification.Malformed;
            }

            DigestVerifier? verifier = algorithm switch
            {
                DigestAlgorithm.Sha256 => _sha256,
                DigestAlgorithm.Md5 => _md5,
                _ => null,
            };
            return verifier is null
                ? DigestVerification.Malformed
                : verifier.Verify(request, user => string.Equals(user, _credentials.Username, StringComparison.Ordinal) ? _credentials.Password : null);
        }

        return DigestVerification.Missing;
    }

    /// <summary>Adds fresh challenges to a 401: SHA-256, then MD5 when allowed; stale=true after <see cref="DigestVerification.Stale"/>.</summary>
    public void Challenge(SipResponse response, DigestVerification outcome)
    {
        ArgumentNullException.ThrowIfNull(response);
        bool stale = outcome == DigestVerification.Stale;
        _sha256.AddChallenge(response, stale);
        _md5?.AddChallenge(response, stale);
    }
}

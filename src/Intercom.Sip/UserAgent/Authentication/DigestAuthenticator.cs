using System.Globalization;
using System.Security.Cryptography;
using Intercom.Sip.Messages;

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// The client side of SIP digest authentication (RFC 3261 §22.2–§22.4, RFC 2617, RFC 7616, RFC 8760) for one account:
/// answers 401/407 challenges and keeps the last challenge of each realm so that later requests carry credentials
/// before being asked (with the next nonce-count). Not thread-safe: use it on the SIP loop.
/// </summary>
/// <remarks>
/// Use:
/// <code>
/// var auth = new DigestAuthenticator(new DigestCredentials("door", "secret"));
/// auth.Authorize(request);                                   // pre-emptive: adds what the cache holds (maybe nothing)
/// // ... a 401/407 arrives for request:
/// if (auth.HandleChallenge(request, response) == DigestChallengeOutcome.Authorized)
/// {
///     var retry = /* same request, CSeq + 1, new Via branch (RFC 3261 §22.2) */;
///     auth.Authorize(retry);
/// }
/// </code>
/// Giving up is decided from the challenged request itself: if it already carried fresh credentials (nonce-count 1, or
/// no qop) for the realm challenged again without stale=true, the password is wrong, so a caller never loops. A refused
/// pre-emptive nonce (count above 1) gets one fresh attempt; stale=true is retried silently, at most
/// <see cref="MaxStaleRetries"/> times in a row.
/// </remarks>
public sealed class DigestAuthenticator
{
    private readonly List<DigestCredentials> _credentials;
    private readonly List<Entry> _cache = [];
    private readonly Func<string> _cnonceFactory;

    /// <summary>Creates an authenticator for one set of credentials.</summary>
    public DigestAuthenticator(DigestCredentials credentials)
        : this([credentials])
    {
    }

    /// <summary>Creates an authenticator.</summary>
    /// <param name="credentials">Credentials; realm-specific ones win over realm-less ones.</param>
    /// <param name="cnonceFactory">Client nonces; 128 random bits by default (tests pass fixed values).</param>
    public DigestAuthenticator(IEnumerable<DigestCredentials> credentials, Func<string>? cnonceFactory = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = [.. credentials];
        _cnonceFactory = cnonceFactory ?? NewCNonce;
    }

    /// <summary>How many stale=true challenges in a row for one realm are followed before giving up.</summary>
    public int MaxStaleRetries { get; init; } = 3;

    /// <summary>Realms (per header kind) whose challenge is cached.</summary>
    public int CachedRealmCount => _cache.Count;

    /// <summary>
    /// Learns from a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) to <paramref name="challenged"/>. For every realm
    /// challenged with credentials at hand the best supported challenge is kept (SHA-256 over MD5, else the topmost,
    /// RFC 8760 §2.4). Credentials are added later by <see cref="Authorize"/> to the re-sent request.
    /// </summary>
    public DigestChallengeOutcome HandleChallenge(SipRequest challenged, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(challenged);
        ArgumentNullException.ThrowIfNull(response);
        bool proxy;
        if (response.StatusCode == 401)
        {
            proxy = false;
        }
        else if (response.StatusCode == 407)
        {
            proxy = true;
        }
        else
        {
            return DigestChallengeOutcome.Unsupported;
        }

        IReadOnlyList<DigestChallenge> challenges = DigestChallenge.ParseAll(response, proxy ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate);
        string credentialsHeader = proxy ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization;
        bool authorized = false, rejected = false, missing = false;
        for (int i = 0; i < challenges.Count; i++)
        {
            string realm = challenges[i].Realm;
            if (!IsFirstOfRealm(challenges, i))
            {
                continue;
            }

            DigestChallenge? best = BestOfRealm(challenges, i);
            if (best is null)
            {
                continue;
            }

            DigestCredentials? credentials = FindCredentials(realm);
            if (credentials is null)
            {
                missing = true;
                continue;
            }

            int index = IndexOf(realm, proxy);
            int staleRetries = 0;
            if (FindSent(challenged, credentialsHeader, realm) is { } sent)
            {
                if (best.Stale)
                {
                    // In a row: only answers to a challenge just received count; a refused pre-emptive reuse starts anew.
                    staleRetries = sent.NonceCount > 1 ? 1 : (index >= 0 ? _cache[index].StaleRetries : 0) + 1;
                    if (staleRetries > MaxStaleRetries)
                    {
                        Forget(index);
                        rejected = true;
                        continue;
                    }
                }
                else if (!(sent.Qop is not null && sent.NonceCount > 1))
                {
                    // Fresh credentials for this realm were refused (RFC 3261 §22.2: "the credentials were wrong").
                    Forget(index);
                    rejected = true;
                    continue;
                }
            }

            var entry = new Entry(best, proxy, credentials, _cnonceFactory())
            {
                Qop = best.OffersAuth ? "auth" : best.OffersAuthInt ? "auth-int" : null,
                StaleRetries = staleRetries,
            };
            if (index >= 0)
            {
                _cache[index] = entry;
            }
            else
            {
                _cache.Add(entry);
            }

            authorized = true;
        }

        if (rejected)
        {
            return DigestChallengeOutcome.CredentialsRejected;
        }

        if (authorized)
        {
            return DigestChallengeOutcome.Authorized;
        }

        return missing ? DigestChallengeOutcome.NoCredentials : DigestChallengeOutcome.Unsupported;
    }

    /// <summary>
    /// Adds Authorization / Proxy-Authorization for every cached realm to <paramref name="request"/> (replacing the ones
    /// it carries for those realms), each with the next nonce-count. A challenge without qop (RFC 2069) is answered once
    /// only: without a nonce-count the server could not tell a reuse from a replay. Returns how many were added.
    /// </summary>
    public int Authorize(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RemoveCachedRealms(request, SipHeaderNames.Authorization, proxy: false);
        RemoveCachedRealms(request, SipHeaderNames.ProxyAuthorization, proxy: true);
        int added = 0;
        foreach (Entry entry in _cache)
        {
            if (!entry.Fresh && entry.Qop is null)
            {
                continue;
            }

            entry.Fresh = false;
            entry.NonceCount++;
            request.Headers.Add(entry.Proxy ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization, Build(entry, request).ToString());
            added++;
        }

        return added;
    }

    /// <summary>Forgets every cached challenge (after a change of account or credentials).</summary>
    public void Reset() => _cache.Clear();

    private static DigestAuthorization Build(Entry entry, SipRequest request)
    {
        DigestChallenge c = entry.Challenge;
        DigestCredentials credentials = entry.Credentials;
        string uri = request.RequestUri.ToString();
        string? nc = entry.Qop is null ? null : entry.NonceCount.ToString("x8", CultureInfo.InvariantCulture);
        string? cnonce = entry.Qop is null && !c.Algorithm.IsSession() ? null : entry.CNonce;
        string ha1 = DigestCalculator.ComputeHa1(c.Algorithm, credentials.Username, c.Realm, credentials.Password, c.Nonce, cnonce);
        string response = DigestCalculator.ComputeResponse(c.Algorithm, ha1, c.Nonce, entry.Qop, nc, cnonce, request.Method, uri, request.Body.Span);
        return new DigestAuthorization
        {
            Username = c.UserHash ? DigestCalculator.HashUsername(c.Algorithm, credentials.Username, c.Realm) : credentials.Username,
            Realm = c.Realm,
            Nonce = c.Nonce,
            Uri = uri,
            Response = response,

            // RFC 7616 §3.4: echo the algorithm when the challenge named one; old RFC 2069 servers may not know the parameter.
            AlgorithmName = c.AlgorithmName,
            Qop = entry.Qop,
            NonceCountText = nc,
            CNonce = cnonce,
            Opaque = c.Opaque,
            UserHash = c.UserHash,
        };
    }

    private static bool IsFirstOfRealm(IReadOnlyList<DigestChallenge> challenges, int i)
    {
        for (int j = 0; j < i; j++)
        {
            if (string.Equals(challenges[j].Realm, challenges[i].Realm, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static DigestChallenge? BestOfRealm(IReadOnlyList<DigestChallenge> challenges, int first)
    {
        DigestChallenge? best = null;
        for (int j = first; j < challenges.Count; j++)
        {
            DigestChallenge c = challenges[j];
            if (string.Equals(c.Realm, challenges[first].Realm, StringComparison.Ordinal) && c.IsSupported &&
                (best is null || c.Algorithm.Strength() > best.Algorithm.Strength()))
            {
                best = c;
            }
        }

        return best;
    }

    private static DigestAuthorization? FindSent(SipRequest request, string headerName, string realm)
    {
        foreach (DigestAuthorization sent in DigestAuthorization.ReadAll(request, headerName))
        {
            if (string.Equals(sent.Realm, realm, StringComparison.Ordinal))
            {
                return sent;
            }
        }

        return null;
    }

    private DigestCredentials? FindCredentials(string realm)
    {
        DigestCredentials? any = null;
        foreach (DigestCredentials c in _credentials)
        {
            if (c.Realm is null)
            {
                any ??= c;
            }
            else if (string.Equals(c.Realm, realm, StringComparison.Ordinal))
            {
                return c;
            }
        }

        return any;
    }

    private int IndexOf(string realm, bool proxy)
    {
        for (int i = 0; i < _cache.Count; i++)
        {
            if (_cache[i].Proxy == proxy && string.Equals(_cache[i].Challenge.Realm, realm, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Forget(int index)
    {
        if (index >= 0)
        {
            _cache.RemoveAt(index);
        }
    }

    private void RemoveCachedRealms(SipRequest request, string headerName, bool proxy)
    {
        SipHeaders headers = request.Headers;
        for (int i = headers.IndexOf(headerName, 0); i >= 0; i = headers.IndexOf(headerName, i))
        {
            if (DigestAuthorization.TryParse(headers[i].Value, out DigestAuthorization? sent) && IndexOf(sent.Realm, proxy) >= 0)
            {
                headers.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }
    }

    private static string NewCNonce()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }

    private sealed class Entry(DigestChallenge challenge, bool proxy, DigestCredentials credentials, string cnonce)
    {
        public DigestChallenge Challenge { get; } = challenge;

        public bool Proxy { get; } = proxy;

        public DigestCredentials Credentials { get; } = credentials;

        public string CNonce { get; } = cnonce;

        public string? Qop { get; init; }

        public uint NonceCount { get; set; }

        public bool Fresh { get; set; } = true;

        public int StaleRetries { get; init; }
    }
}

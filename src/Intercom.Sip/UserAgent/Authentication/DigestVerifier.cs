using System.Buffers.Binary;
using System.Security.Cryptography;
using Intercom.Sip.Messages;

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// The server side of digest authentication (RFC 3261 §22.1, §22.4; RFC 7616 §3.3–§3.4): issues nonces and checks the
/// credentials of requests that answer them. A nonce is its issue time, 64 random bits and an HMAC-SHA-256 over both
/// (so it cannot be forged and its age is known without lookup); every nonce issued is also remembered with the highest
/// nonce-count seen, so a replayed nonce/nc pair is refused. Memory is bounded by <see cref="DigestVerifierOptions.MaxNonces"/>.
/// Not thread-safe: use it on the SIP loop.
/// </summary>
public sealed class DigestVerifier
{
    private const int TimeBytes = 8, RandomBytes = 8, MacBytes = 16, NonceBytes = TimeBytes + RandomBytes + MacBytes;

    private readonly TimeProvider _time;
    private readonly DigestVerifierOptions _options;
    private readonly byte[] _secret;
    private readonly Dictionary<string, NonceState> _nonces = new(StringComparer.Ordinal);
    private readonly Queue<string> _issueOrder = new();

    /// <summary>Creates a verifier for <paramref name="realm"/>.</summary>
    public DigestVerifier(string realm, TimeProvider time, DigestVerifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(realm);
        ArgumentNullException.ThrowIfNull(time);
        Realm = realm;
        _time = time;
        _options = options ?? new DigestVerifierOptions();
        _secret = _options.Secret is { } secret ? secret.ToArray() : RandomNumberGenerator.GetBytes(32);
    }

    /// <summary>The protection space named in challenges.</summary>
    public string Realm { get; }

    /// <summary>Nonces currently remembered.</summary>
    public int OutstandingNonces => _nonces.Count;

    /// <summary>A new challenge with a new nonce and qop=auth.</summary>
    public DigestChallenge CreateChallenge(bool stale = false)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Forget(now);
        Span<byte> nonce = stackalloc byte[NonceBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, now);
        RandomNumberGenerator.Fill(nonce.Slice(TimeBytes, RandomBytes));
        Mac(nonce[..(TimeBytes + RandomBytes)], nonce[(TimeBytes + RandomBytes)..]);
        string text = Convert.ToHexStringLower(nonce);
        _nonces[text] = new NonceState(now);
        _issueOrder.Enqueue(text);
        return new DigestChallenge(Realm, text, _options.Algorithm) { Stale = stale };
    }

    /// <summary>Adds a challenge to a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) response.</summary>
    public void AddChallenge(SipResponse response, bool stale = false)
    {
        ArgumentNullException.ThrowIfNull(response);
        string header = response.StatusCode == 407 ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate;
        response.Headers.Add(header, CreateChallenge(stale).ToString());
    }

    /// <summary>
    /// Checks the Authorization (or, with <paramref name="proxy"/>, Proxy-Authorization) of <paramref name="request"/>
    /// for this realm. <paramref name="passwordLookup"/> returns the password of a user, or null for an unknown user.
    /// </summary>
    public DigestVerification Verify(SipRequest request, Func<string, string?> passwordLookup, bool proxy = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(passwordLookup);
        DigestAuthorization? credentials = null;
        foreach (DigestAuthorization a in DigestAuthorization.ReadAll(request, proxy ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization))
        {
            if (string.Equals(a.Realm, Realm, StringComparison.Ordinal))
            {
                credentials = a;
                break;
            }
        }

        if (credentials is null)
        {
            return DigestVerification.Missing;
        }

        DigestAlgorithm algorithm = DigestAlgorithm.Md5;
        if ((credentials.AlgorithmName is { } name && !DigestAlgorithms.TryParse(name, out algorithm)) || algorithm != _options.Algorithm ||
            credentials.UserHash || !UriMatches(credentials.Uri, request.RequestUri))
        {
            return DigestVerification.Malformed;
        }

        bool withQop = credentials.Qop is not null;
        if (withQop && (!string.Equals(credentials.Qop, "auth", StringComparison.OrdinalIgnoreCase) || credentials.NonceCount == 0 || string.IsNullOrEmpty(credentials.CNonce)))
        {
            return DigestVerification.Malformed;
        }

        if (!TryReadNonce(credentials.Nonce, out long issued))
        {
            return DigestVerification.InvalidNonce;
        }

        if (passwordLookup(credentials.Username) is not { } password)
        {
            return DigestVerification.UnknownUser;
        }

        string ha1 = DigestCalculator.ComputeHa1(algorithm, credentials.Username, Realm, password, credentials.Nonce, credentials.CNonce);
        string expected = DigestCalculator.ComputeResponse(algorithm, ha1, credentials.Nonce, credentials.Qop, credentials.NonceCountText,
            credentials.CNonce, request.Method, credentials.Uri, request.Body.Span);
        if (!FixedTimeEqualsIgnoreCase(expected, credentials.Response))
        {
            return DigestVerification.WrongCredentials;
        }

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now - issued > (long)_options.NonceLifetime.TotalMilliseconds || !_nonces.TryGetValue(credentials.Nonce, out NonceState? state))
        {
            return DigestVerification.Stale;
        }

        if (withQop)
        {
            // RFC 7616 §3.4.5: the same nc twice is a replay; counts must grow.
            if (credentials.NonceCount <= state.HighestCount)
            {
                return DigestVerification.Replayed;
            }

            state.HighestCount = credentials.NonceCount;
        }
        else
        {
            // RFC 2069 has no count: the nonce is good once.
            if (state.UsedWithoutQop)
            {
                return DigestVerification.Replayed;
            }

            state.UsedWithoutQop = true;
        }

        return DigestVerification.Accepted;
    }

    private static bool UriMatches(string digestUri, SipUri requestUri) =>
        digestUri == requestUri.ToString() || (SipUri.TryParse(digestUri, out SipUri? parsed) && parsed.Equals(requestUri));

    private static bool FixedTimeEqualsIgnoreCase(string expected, string actual)
    {
        if (expected.Length != actual.Length)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[expected.Length];
        Span<byte> b = stackalloc byte[actual.Length];
        for (int i = 0; i < expected.Length; i++)
        {
            a[i] = (byte)expected[i];
            b[i] = (byte)char.ToLowerInvariant(actual[i]);
        }

        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    private bool TryReadNonce(string text, out long issued)
    {
        issued = 0;
        Span<byte> nonce = stackalloc byte[NonceBytes];
        if (text.Length != NonceBytes * 2 || Convert.FromHexString(text, nonce, out _, out int written) != System.Buffers.OperationStatus.Done || written != NonceBytes)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(nonce[..(TimeBytes + RandomBytes)], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, nonce[(TimeBytes + RandomBytes)..]))
        {
            return false;
        }

        issued = BinaryPrimitives.ReadInt64BigEndian(nonce);
        return true;
    }

    private void Mac(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_secret, data, full);
        full[..MacBytes].CopyTo(destination);
    }

    private void Forget(long now)
    {
        long lifetime = (long)_options.NonceLifetime.TotalMilliseconds;
        while (_issueOrder.TryPeek(out string? oldest) &&
            (_issueOrder.Count >= _options.MaxNonces || now - _nonces[oldest].Issued > lifetime))
        {
            _nonces.Remove(_issueOrder.Dequeue());
        }
    }

    private sealed class NonceState(long issued)
    {
        public long Issued { get; } = issued;

        public uint HighestCount { get; set; }

        public bool UsedWithoutQop { get; set; }
    }
}

using System.Net;
using System.Net.Sockets;
using Intercom.Sip.Messages;

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// Digest authentication of the requests a UAS receives (RFC 3261 §22.1, §22.4), for a station called directly by a
/// phone with no PBX in front to authenticate the caller. A request without valid credentials is answered 401 with
/// fresh challenges, one per algorithm configured (SHA-256 first, then MD5 by default: RFC 8760 §2.4, RFC 7616 §3.7). Each nonce carries its issue time under an HMAC and expires after <see cref="DigestVerifierOptions.NonceLifetime"/>;
/// qop=auth is required and a nonce-count may be used once, so a captured request replayed — as it was, or with new
/// Call-ID, tags and branch — is refused (RFC 7616 §3.4.5). Online guessing is bounded per source (an IPv4 address, an
/// IPv6 /64): after <see cref="MaxFailures"/> wrong answers within <see cref="LockoutTime"/> the source is refused without
/// a check until that time has passed since its last failure (without it, one nonce with growing nonce-counts allows a
/// guess per INVITE, some ten a second under the rate limiter). One user, one password. Not thread-safe: the SIP loop owns it.
/// </summary>
public sealed class IncomingDigestAuthentication
{
    /// <summary>Wrong answers from one source before it is locked out.</summary>
    public const int MaxFailures = 5;

    /// <summary>How long failures are remembered, and a lockout lasts after the last one.</summary>
    public static readonly TimeSpan LockoutTime = TimeSpan.FromMinutes(10);

    private const int MaxSources = 1024;

    private readonly DigestCredentials _credentials;
    private readonly DigestVerifier[] _verifiers;
    private readonly TimeProvider _time;
    private readonly Dictionary<SourceKey, Failures> _failures = [];

    /// <param name="realm">The protection space named in challenges (RFC 3261 §22.1: e.g. the station's host name).</param>
    /// <param name="credentials">The one user callers must authenticate as.</param>
    /// <param name="time">The clock nonces are dated by.</param>
    /// <param name="algorithms">
    /// What is offered, one challenge each in this order, and accepted: SHA-256 and/or MD5; by default SHA-256 then MD5
    /// (RFC 8760 §2.4). A phone that gives up on a challenge it does not know instead of using the next one (libre
    /// before 2.0, so baresip 1.x) needs MD5 alone.
    /// </param>
    /// <param name="nonceLifetime">How long a nonce is good; 5 minutes by default.</param>
    public IncomingDigestAuthentication(string realm, DigestCredentials credentials, TimeProvider time,
        IReadOnlyList<DigestAlgorithm>? algorithms = null, TimeSpan? nonceLifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(realm);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        algorithms ??= [DigestAlgorithm.Sha256, DigestAlgorithm.Md5];
        if (algorithms.Count == 0 || algorithms.Distinct().Count() != algorithms.Count || algorithms.Any(a => a.IsSession()))
        {
            throw new ArgumentException("One or more distinct algorithms without -sess are needed.", nameof(algorithms));
        }

        _credentials = credentials;
        _time = time;
        var lifetime = nonceLifetime ?? new DigestVerifierOptions().NonceLifetime;
        Realm = realm;
        _verifiers = [.. algorithms.Select(a => new DigestVerifier(realm, time, new DigestVerifierOptions { Algorithm = a, NonceLifetime = lifetime }))];
        Algorithms = algorithms;
    }

    /// <summary>The realm of the challenges.</summary>
    public string Realm { get; }

    /// <summary>The one user name accepted (a browser phone that registers with it is that user's, RFC 3261 §10.3 step 3).</summary>
    public string Username => _credentials.Username;

    /// <summary>The algorithms offered and accepted, in the order of the challenges.</summary>
    public IReadOnlyList<DigestAlgorithm> Algorithms { get; }

    /// <summary>Sources currently remembered for their failures.</summary>
    public int TrackedSources => _failures.Count;

    /// <summary>
    /// Checks the Authorization of <paramref name="request"/> received from <paramref name="source"/>. LockedOut is to be
    /// refused (403) without a challenge; anything else but Accepted is answered with <see cref="Challenge"/>.
    /// </summary>
    public DigestVerification Verify(SipRequest request, IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        var key = SourceKey.Of(source);
        var now = _time.GetUtcNow();
        if (_failures.TryGetValue(key, out var failures))
        {
            if (now - failures.Last >= LockoutTime)
            {
                _failures.Remove(key);
            }
            else if (failures.Count >= MaxFailures)
            {
                return DigestVerification.LockedOut;
            }
        }

        var result = Check(request);
        if (result is DigestVerification.WrongCredentials or DigestVerification.UnknownUser)
        {
            RecordFailure(key, now);
        }
        else if (result == DigestVerification.Accepted)
        {
            _failures.Remove(key);
        }

        return result;
    }

    private DigestVerification Check(SipRequest request)
    {
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

            int index = IndexOf(algorithm);
            return index < 0
                ? DigestVerification.Malformed
                : _verifiers[index].Verify(request, user => string.Equals(user, _credentials.Username, StringComparison.Ordinal) ? _credentials.Password : null);
        }

        return DigestVerification.Missing;
    }

    /// <summary>Adds fresh challenges to a 401, one per algorithm in order; stale=true after <see cref="DigestVerification.Stale"/>.</summary>
    public void Challenge(SipResponse response, DigestVerification outcome)
    {
        ArgumentNullException.ThrowIfNull(response);
        bool stale = outcome == DigestVerification.Stale;
        foreach (DigestVerifier verifier in _verifiers)
        {
            verifier.AddChallenge(response, stale);
        }
    }

    private void RecordFailure(SourceKey key, DateTimeOffset now)
    {
        if (_failures.TryGetValue(key, out var failures))
        {
            failures.Count++;
            failures.Last = now;
            return;
        }

        if (_failures.Count >= MaxSources)
        {
            // Bounded memory against failures from many addresses: the source whose last failure is oldest goes.
            SourceKey oldest = default;
            var oldestTime = DateTimeOffset.MaxValue;
            foreach (var (k, f) in _failures)
            {
                if (f.Last < oldestTime)
                {
                    (oldest, oldestTime) = (k, f.Last);
                }
            }

            _failures.Remove(oldest);
        }

        _failures[key] = new Failures { Count = 1, Last = now };
    }

    private int IndexOf(DigestAlgorithm algorithm)
    {
        for (int i = 0; i < Algorithms.Count; i++)
        {
            if (Algorithms[i] == algorithm)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>An IPv4 address, or the /64 an IPv6 address is in (one host may hold the whole /64).</summary>
    private readonly record struct SourceKey(bool V6, ulong Value)
    {
        public static SourceKey Of(IPAddress address)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out int written);
            return address.AddressFamily == AddressFamily.InterNetworkV6
                ? new SourceKey(true, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes))
                : new SourceKey(false, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[..written]));
        }
    }

    private sealed class Failures
    {
        public int Count { get; set; }

        public DateTimeOffset Last { get; set; }
    }
}

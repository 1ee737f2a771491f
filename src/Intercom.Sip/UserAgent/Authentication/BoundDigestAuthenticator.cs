using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Intercom.Sip.UserAgent.Authentication;

/// <summary>
/// An account's digest credentials bound to the server they authenticate to (RFC 3261 §22, RFC 7616 §5): a 401/407 to one
/// of the account's requests is answered only when it came back over the account's flow (the registrar's or outbound
/// proxy's destination) and names a realm that server uses. A callee, or any server the request was forwarded to, that
/// challenges in a realm of its own gets nothing: a digest computed for a realm and nonce of the challenger's choosing
/// lets it guess the password offline (RFC 7616 §5.12, RFC 3261 §26.3.2.4). Not thread-safe: use it on the SIP loop.
/// </summary>
/// <remarks>
/// The binding is read at each challenge, so a registration that learns its realm later (or moves to another server)
/// is followed. Each refusal is logged once per realm or server.
/// </remarks>
public sealed partial class BoundDigestAuthenticator
{
    private readonly DigestCredentials _credentials;
    private readonly Func<SipDestination, bool> _isAccountFlow;
    private readonly Func<IReadOnlyCollection<string>> _realms;
    private readonly ILogger _log;
    private readonly HashSet<string> _refusalsLogged = new(StringComparer.Ordinal);
    private DigestAuthenticator? _inner;
    private string[] _innerRealms = [];

    /// <summary>Binds <paramref name="credentials"/> (their own realm, if any, is replaced by the bound ones).</summary>
    /// <param name="credentials">The account's user name and password.</param>
    /// <param name="isAccountFlow">True for a destination that is the account's registrar or proxy flow.</param>
    /// <param name="realms">The realms the account's server uses (e.g. learned by the registration); empty: none yet.</param>
    /// <param name="log">Where refusals are reported (once each).</param>
    public BoundDigestAuthenticator(DigestCredentials credentials, Func<SipDestination, bool> isAccountFlow, Func<IReadOnlyCollection<string>> realms, ILogger? log = null)
    {
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _isAccountFlow = isAccountFlow ?? throw new ArgumentNullException(nameof(isAccountFlow));
        _realms = realms ?? throw new ArgumentNullException(nameof(realms));
        _log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>
    /// Answers <paramref name="challenge"/>, a 401/407 to a request sent to <paramref name="destination"/>: on
    /// <see cref="DigestChallengeOutcome.Authorized"/>, <paramref name="retry"/> (the request to re-send, still carrying
    /// the credentials the challenged one had) now has credentials for the bound realm and nothing else.
    /// </summary>
    public DigestChallengeOutcome Answer(SipRequest retry, SipResponse challenge, SipDestination destination)
    {
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(challenge);
        if (!_isAccountFlow(destination))
        {
            if (_refusalsLogged.Add("server " + destination))
            {
                LogForeignServer(_log, challenge.StatusCode, destination.ToString());
            }

            return DigestChallengeOutcome.ForeignServer;
        }

        var realms = _realms();
        var challenged = ChallengedRealms(challenge);
        if (realms.Count == 0 || !challenged.Exists(r => realms.Contains(r, StringComparer.Ordinal)))
        {
            var named = string.Join(", ", challenged);
            if (_refusalsLogged.Add("realm " + named))
            {
                LogForeignRealm(_log, challenge.StatusCode, named, realms.Count == 0 ? "(none learned yet)" : string.Join(", ", realms));
            }

            return DigestChallengeOutcome.ForeignRealm;
        }

        // Realm-specific credentials: the inner authenticator answers the bound realms only, even in a response that
        // also challenges for another one (RFC 3261 §22.3: one header per realm).
        var inner = Inner(realms);
        var outcome = inner.HandleChallenge(retry, challenge);
        if (outcome == DigestChallengeOutcome.Authorized && inner.Authorize(retry) == 0)
        {
            return DigestChallengeOutcome.Unsupported;
        }

        return outcome;
    }

    private DigestAuthenticator Inner(IReadOnlyCollection<string> realms)
    {
        if (_inner is null || _innerRealms.Length != realms.Count || !_innerRealms.All(r => realms.Contains(r, StringComparer.Ordinal)))
        {
            _innerRealms = [.. realms];
            _inner = new DigestAuthenticator(_innerRealms.Select(r => _credentials with { Realm = r }));
        }

        return _inner;
    }

    private static List<string> ChallengedRealms(SipResponse challenge)
    {
        var header = challenge.StatusCode == 407 ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate;
        var realms = new List<string>();
        foreach (var c in DigestChallenge.ParseAll(challenge, header))
        {
            if (!realms.Contains(c.Realm, StringComparer.Ordinal))
            {
                realms.Add(c.Realm);
            }
        }

        return realms;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Status} challenge from {Server} not answered: not the account's registrar or proxy, credentials are not sent there")]
    private static partial void LogForeignServer(ILogger logger, int status, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Status} challenge for realm '{Realm}' not answered: the account's registrar uses {Bound}, credentials are not sent for another realm")]
    private static partial void LogForeignRealm(ILogger logger, int status, string realm, string bound);
}

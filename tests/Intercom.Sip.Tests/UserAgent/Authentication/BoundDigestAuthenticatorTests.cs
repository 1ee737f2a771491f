using System.Net;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Sip.UserAgent.Authentication;
using Microsoft.Extensions.Logging;
using static Intercom.Sip.Tests.UserAgent.Authentication.DigestTestMessages;

namespace Intercom.Sip.Tests.UserAgent.Authentication;

/// <summary>
/// Issue #15.7: the account's digest credentials answer only the realm its registrar uses, and only over the account's
/// flow (RFC 3261 §22, RFC 7616 §5.12): a callee or another server that challenges gets no credentials.
/// </summary>
public class BoundDigestAuthenticatorTests
{
    private const string Nonce = "84a4cc6f3082121f32b42a2187831a9e";
    private static readonly SipDestination Registrar = new(SipTransportProtocol.Tls, new IPEndPoint(IPAddress.Parse("192.0.2.10"), 5061));
    private static readonly SipDestination Stranger = new(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Parse("198.51.100.66"), 5060));
    private readonly List<string> _realms = ["example.com"];
    private readonly CountingLogger _log = new();

    private BoundDigestAuthenticator NewAuthenticator() =>
        new(new DigestCredentials("door", "door-secret"), d => d == Registrar, () => _realms, _log);

    private static string ChallengeFor(string realm, string nonce = Nonce) => $"Digest realm=\"{realm}\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\"";

    [Fact]
    public void The_registrars_realm_over_the_accounts_flow_is_answered()
    {
        var auth = NewAuthenticator();
        var request = Register();
        var retry = Next(request);

        Assert.Equal(DigestChallengeOutcome.Authorized, auth.Answer(retry, Challenge(request, 407, ChallengeFor("example.com")), Registrar));

        Assert.True(DigestAuthorization.TryParse(Assert.Single(retry.Headers.GetLines(SipHeaderNames.ProxyAuthorization)), out var sent));
        Assert.Equal(("door", "example.com", Nonce), (sent.Username, sent.Realm, sent.Nonce));
    }

    [Fact]
    public void A_challenge_for_another_realm_gets_no_credentials_and_is_logged_once()
    {
        var auth = NewAuthenticator();
        var request = Register();
        var retry = Next(request);

        // The callee (or a server behind the proxy) asks in a realm of its own: answering it would hand out a digest of
        // the password for a realm and nonce the challenger chose.
        Assert.Equal(DigestChallengeOutcome.ForeignRealm, auth.Answer(retry, Challenge(request, 401, ChallengeFor("evil.example")), Registrar));
        Assert.Equal(DigestChallengeOutcome.ForeignRealm, auth.Answer(Next(request), Challenge(request, 401, ChallengeFor("evil.example", "n2")), Registrar));

        Assert.Empty(retry.Headers.GetLines(SipHeaderNames.Authorization));
        Assert.Empty(retry.Headers.GetLines(SipHeaderNames.ProxyAuthorization));
        Assert.Equal(1, _log.Warnings);
    }

    [Fact]
    public void A_challenge_from_another_server_gets_no_credentials_even_in_the_right_realm()
    {
        var auth = NewAuthenticator();
        var request = Register();
        var retry = Next(request);

        Assert.Equal(DigestChallengeOutcome.ForeignServer, auth.Answer(retry, Challenge(request, 401, ChallengeFor("example.com")), Stranger));

        Assert.Empty(retry.Headers.GetLines(SipHeaderNames.Authorization));
        Assert.Equal(1, _log.Warnings);
    }

    [Fact]
    public void Of_two_challenges_in_one_response_only_the_bound_realm_is_answered()
    {
        var auth = NewAuthenticator();
        var request = Register();
        var retry = Next(request);

        Assert.Equal(DigestChallengeOutcome.Authorized,
            auth.Answer(retry, Challenge(request, 407, ChallengeFor("evil.example"), ChallengeFor("example.com")), Registrar));

        Assert.True(DigestAuthorization.TryParse(Assert.Single(retry.Headers.GetLines(SipHeaderNames.ProxyAuthorization)), out var sent));
        Assert.Equal("example.com", sent.Realm);
    }

    [Fact]
    public void Nothing_is_answered_before_the_registrars_realm_is_known_and_the_learned_realm_is_followed()
    {
        _realms.Clear();
        var auth = NewAuthenticator();
        var request = Register();
        Assert.Equal(DigestChallengeOutcome.ForeignRealm, auth.Answer(Next(request), Challenge(request, 407, ChallengeFor("example.com")), Registrar));

        // The registration learns its realm: the next challenge in it is answered.
        _realms.Add("example.com");
        var retry = Next(request);
        Assert.Equal(DigestChallengeOutcome.Authorized, auth.Answer(retry, Challenge(request, 407, ChallengeFor("example.com")), Registrar));
        Assert.Single(retry.Headers.GetLines(SipHeaderNames.ProxyAuthorization));
    }

    [Fact]
    public void A_second_challenge_to_fresh_credentials_is_a_wrong_password_not_a_loop()
    {
        var auth = NewAuthenticator();
        var request = Register();
        var retry = Next(request);
        Assert.Equal(DigestChallengeOutcome.Authorized, auth.Answer(retry, Challenge(request, 407, ChallengeFor("example.com")), Registrar));

        var again = Next(retry);
        Assert.Equal(DigestChallengeOutcome.CredentialsRejected, auth.Answer(again, Challenge(retry, 407, ChallengeFor("example.com", "n2")), Registrar));
    }

    private sealed class CountingLogger : ILogger
    {
        public int Warnings { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings++;
            }
        }
    }
}

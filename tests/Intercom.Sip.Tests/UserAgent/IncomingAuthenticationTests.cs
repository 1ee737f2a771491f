using System.Text;
using Intercom.Sip.Messages;
using Intercom.Sip.Tests.Transactions;
using Intercom.Sip.UserAgent.Authentication;

namespace Intercom.Sip.Tests.UserAgent;

/// <summary>
/// The station as the authenticating side (RFC 3261 §22.4, RFC 7616, RFC 8760): an INVITE must answer a fresh 401
/// challenge; a captured INVITE replayed (as it was, or dressed up as a new call) is refused; nonces expire; the
/// allowlist still applies after authentication. On a fake clock.
/// </summary>
public sealed class IncomingAuthenticationTests : IDisposable
{
    private const string User = "resident";
    private const string Password = "kitchen-phone-77";
    private readonly UserAgentTestBench _bench = new();

    public IncomingAuthenticationTests()
    {
        _bench.Agent.IncomingAuthentication = new IncomingDigestAuthentication("door.example.com", new DigestCredentials(User, Password), _bench.Time);
    }

    public void Dispose() => _bench.Dispose();

    /// <summary>INVITE, 401, then the same INVITE with credentials computed by our own client side; returns what was sent.</summary>
    private string AuthenticatedInvite(string password = Password, Func<SipResponse, SipResponse>? pickChallenge = null, string attempt = "")
    {
        _bench.Receive(UserAgentTestBench.Invite(branch: "z9hG4bKfirst" + attempt));
        var challenge = _bench.Transport.SentResponses.Last(r => r.StatusCode == 401);
        var client = new DigestAuthenticator(new DigestCredentials(User, password));
        var first = Parse(UserAgentTestBench.Invite(branch: "z9hG4bKfirst" + attempt));
        Assert.Equal(DigestChallengeOutcome.Authorized, client.HandleChallenge(first, pickChallenge?.Invoke(challenge) ?? challenge));
        var second = Parse(UserAgentTestBench.Invite(branch: "z9hG4bKsecond" + attempt));
        Assert.True(client.Authorize(second) > 0);
        var text = Encoding.UTF8.GetString(SipMessageWriter.ToBytes(second));
        _bench.Receive(text);
        return text;
    }

    [Fact]
    public void An_invite_without_credentials_gets_401_with_fresh_sha256_then_md5_challenges_and_no_call()
    {
        _bench.Receive(UserAgentTestBench.Invite(branch: "z9hG4bKa"));
        _bench.Receive(UserAgentTestBench.Invite(branch: "z9hG4bKb"));
        var challenges = _bench.Responses(401).Select(r => r.Headers.GetAll(SipHeaderNames.WwwAuthenticate).ToList()).ToList();
        Assert.Equal(2, challenges.Count);
        foreach (var pair in challenges)
        {
            Assert.Equal(2, pair.Count);
            Assert.Contains("algorithm=SHA-256", pair[0], StringComparison.Ordinal);
            Assert.Contains("algorithm=MD5", pair[1], StringComparison.Ordinal);
            Assert.All(pair, c => Assert.Contains("qop=\"auth\"", c, StringComparison.Ordinal));
            Assert.All(pair, c => Assert.Contains("realm=\"door.example.com\"", c, StringComparison.Ordinal));
        }

        // Every challenge carries a nonce never handed out before.
        var nonces = challenges.SelectMany(p => p).Select(Nonce).ToList();
        Assert.Equal(4, nonces.Distinct().Count());
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void The_right_credentials_make_a_call()
    {
        AuthenticatedInvite();
        Assert.Single(_bench.IncomingCalls);
    }

    [Fact]
    public void Md5_credentials_are_accepted_when_allowed()
    {
        AuthenticatedInvite(pickChallenge: OnlyMd5);
        Assert.Single(_bench.IncomingCalls);
    }

    [Fact]
    public void Md5_credentials_are_refused_when_not_allowed()
    {
        _bench.Agent.IncomingAuthentication = new IncomingDigestAuthentication("door.example.com", new DigestCredentials(User, Password), _bench.Time, [DigestAlgorithm.Sha256]);
        _bench.Receive(UserAgentTestBench.Invite(branch: "z9hG4bKa"));
        var only = Assert.Single(Assert.Single(_bench.Responses(401)).Headers.GetAll(SipHeaderNames.WwwAuthenticate));
        Assert.Contains("algorithm=SHA-256", only, StringComparison.Ordinal);

        // A client that insists on MD5 (answering a challenge it invented) gets nowhere.
        var md5 = SipResponse.CreateFor(Parse(UserAgentTestBench.Invite(branch: "z9hG4bKa")), 401, toTag: "t");
        md5.Headers.Add(SipHeaderNames.WwwAuthenticate, only.Replace("SHA-256", "MD5", StringComparison.Ordinal));
        var client = new DigestAuthenticator(new DigestCredentials(User, Password));
        client.HandleChallenge(Parse(UserAgentTestBench.Invite(branch: "z9hG4bKa")), Reparse(md5));
        var next = Parse(UserAgentTestBench.Invite(branch: "z9hG4bKc"));
        client.Authorize(next);
        _bench.Receive(Encoding.UTF8.GetString(SipMessageWriter.ToBytes(next)));
        Assert.Equal(2, _bench.Responses(401).Count());
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void A_wrong_password_is_challenged_again_and_makes_no_call()
    {
        AuthenticatedInvite(password: "guessed-wrong");
        Assert.Equal(2, _bench.Responses(401).Count());
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void A_replayed_invite_is_refused_as_it_was_and_dressed_up_as_a_new_call()
    {
        var captured = AuthenticatedInvite();
        Assert.Single(_bench.IncomingCalls);
        var challengesBefore = _bench.Responses(401).Count();

        // The same bytes again: a retransmission to the transaction layer, which absorbs it (no second call).
        _bench.Receive(captured);
        Assert.Single(_bench.IncomingCalls);

        // New branch, Call-ID and From tag, the captured Authorization kept: the digest still verifies, but its
        // nonce-count was used (RFC 7616 §3.4.5) — 401, no call.
        var dressedUp = captured.Replace("z9hG4bKsecond", "z9hG4bKreplay", StringComparison.Ordinal)
            .Replace("in-call-1@example.com", "replay-1@example.com", StringComparison.Ordinal)
            .Replace("tag=res1", "tag=replay1", StringComparison.Ordinal);
        _bench.Receive(dressedUp);
        Assert.Equal(challengesBefore + 1, _bench.Responses(401).Count());
        Assert.Single(_bench.IncomingCalls);

        // And after the nonce's lifetime, even a fresh nonce-count would only be stale.
        _bench.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        _bench.Receive(dressedUp.Replace("z9hG4bKreplay", "z9hG4bKlater", StringComparison.Ordinal).Replace("replay-1@", "replay-2@", StringComparison.Ordinal));
        Assert.Single(_bench.IncomingCalls);
    }

    [Fact]
    public void Credentials_answering_an_expired_nonce_get_a_stale_challenge()
    {
        _bench.Receive(UserAgentTestBench.Invite(branch: "z9hG4bKfirst"));
        var challenge = Assert.Single(_bench.Responses(401));
        var client = new DigestAuthenticator(new DigestCredentials(User, Password));
        Assert.Equal(DigestChallengeOutcome.Authorized, client.HandleChallenge(Parse(UserAgentTestBench.Invite(branch: "z9hG4bKfirst")), challenge));

        // The phone takes longer than the nonce lives (RFC 7616 §3.3: stale=true, the password was right).
        _bench.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var late = Parse(UserAgentTestBench.Invite(branch: "z9hG4bKlate"));
        client.Authorize(late);
        _bench.Receive(Encoding.UTF8.GetString(SipMessageWriter.ToBytes(late)));
        var stale = _bench.Responses(401).Last();
        Assert.All(stale.Headers.GetAll(SipHeaderNames.WwwAuthenticate), c => Assert.Contains("stale=true", c, StringComparison.OrdinalIgnoreCase));
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void The_allowlist_still_applies_to_an_authenticated_caller()
    {
        _bench.Agent.AcceptIncoming = _ => false;
        AuthenticatedInvite();
        Assert.Single(_bench.Responses(403));
        Assert.Empty(_bench.IncomingCalls);
    }

    [Fact]
    public void A_source_that_guessed_wrong_five_times_gets_403_without_a_challenge()
    {
        for (var i = 0; i < IncomingDigestAuthentication.MaxFailures; i++)
        {
            AuthenticatedInvite(password: "guess-" + i, attempt: i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(2 * IncomingDigestAuthentication.MaxFailures, _bench.Responses(401).Count());
        _bench.Receive(UserAgentTestBench.Invite(branch: "z9hG4bKlocked"));
        Assert.Equal(2 * IncomingDigestAuthentication.MaxFailures, _bench.Responses(401).Count());
        Assert.Single(_bench.Responses(403));
        Assert.Empty(_bench.IncomingCalls);
    }

    private static string Nonce(string challenge)
    {
        var start = challenge.IndexOf("nonce=\"", StringComparison.Ordinal) + 7;
        return challenge[start..challenge.IndexOf('"', start)];
    }

    private static SipResponse OnlyMd5(SipResponse challenge)
    {
        var copy = SipResponse.CreateFor(Parse(UserAgentTestBench.Invite(branch: "z9hG4bKfirst")), 401, toTag: "t");
        copy.Headers.Add(SipHeaderNames.WwwAuthenticate, challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Single(c => c.Contains("MD5", StringComparison.Ordinal)));
        return Reparse(copy);
    }

    private static SipResponse Reparse(SipResponse response) =>
        (SipResponse)FakeSipTransport.Parse(Encoding.UTF8.GetString(SipMessageWriter.ToBytes(response)));

    private static SipRequest Parse(string text) => (SipRequest)FakeSipTransport.Parse(text);
}

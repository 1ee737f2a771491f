using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent.Authentication;
using static Intercom.Sip.Tests.UserAgent.Authentication.DigestTestMessages;

namespace Intercom.Sip.Tests.UserAgent.Authentication;

/// <summary>The client side: answering 401/407 (RFC 3261 §22.2–§22.3), nonce counts, stale nonces, giving up on a wrong password.</summary>
public class DigestAuthenticatorTests
{
    private const string Nonce = "84a4cc6f3082121f32b42a2187831a9e";

    private static DigestAuthenticator NewAuthenticator(string password = "door-secret") =>
        new([new DigestCredentials("door", password)], () => "0a4f113b");

    private static DigestAuthorization Sent(SipRequest request, string header = SipHeaderNames.Authorization)
    {
        Assert.True(DigestAuthorization.TryParse(Assert.Single(request.Headers.GetLines(header)), out var a));
        return a;
    }

    [Theory]
    [InlineData("MD5", "481ac7b515016a87ac9ebd39398675e3", "90e1876e62c5bfbf12a77a2cd8cab146")]
    [InlineData("SHA-256", "14def1db22c0f6f63a3d96ce4d06bde873131e7c841b64bf4f25ea41d278ffee", "5ff531f796bca68813dbb1e3efa194bc816fac632fc5d405a772fe9cd1f34824")]
    public void Answers_a_401_with_qop_auth_and_then_authorises_preemptively_with_the_next_count(string algorithm, string first, string second)
    {
        // Expected digests computed independently (Python hashlib) for user door, realm example.com, sip:example.com.
        var auth = NewAuthenticator();
        var request = Register();
        Assert.Equal(0, auth.Authorize(request));
        var challenge = Challenge(request, 401, $"Digest realm=\"example.com\", nonce=\"{Nonce}\", algorithm={algorithm}, qop=\"auth\", opaque=\"op1\"");

        Assert.Equal(DigestChallengeOutcome.Authorized, auth.HandleChallenge(request, challenge));
        var retry = Next(request);
        Assert.Equal(1, auth.Authorize(retry));
        var a = Sent(retry);
        Assert.Equal(("door", "example.com", Nonce, "sip:example.com", algorithm, "auth", "00000001", "0a4f113b", "op1"),
            (a.Username, a.Realm, a.Nonce, a.Uri, a.AlgorithmName, a.Qop, a.NonceCountText, a.CNonce, a.Opaque));
        Assert.Equal(first, a.Response);

        // A refresh carries credentials before being asked, with nc=2 (RFC 2617 §3.2.2).
        var refresh = Next(retry);
        Assert.Equal(1, auth.Authorize(refresh));
        Assert.Equal(("00000002", second), (Sent(refresh).NonceCountText, Sent(refresh).Response));
    }

    [Fact]
    public void Header_is_written_in_RFC_3261_form()
    {
        var auth = NewAuthenticator();
        var request = Register();
        auth.HandleChallenge(request, Challenge(request, 401, $"Digest realm=\"example.com\", nonce=\"{Nonce}\", algorithm=MD5, qop=\"auth\""));
        var retry = Next(request);
        auth.Authorize(retry);
        Assert.Equal(
            $"Digest username=\"door\", realm=\"example.com\", nonce=\"{Nonce}\", uri=\"sip:example.com\", response=\"481ac7b515016a87ac9ebd39398675e3\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"0a4f113b\"",
            retry.Headers.Get(SipHeaderNames.Authorization));
    }

    [Fact]
    public void Prefers_SHA_256_when_offered_after_MD5()
    {
        var auth = NewAuthenticator();
        var request = Register();
        var challenge = Challenge(request, 401,
            $"Digest realm=\"example.com\", nonce=\"{Nonce}\", algorithm=MD5, qop=\"auth\"",
            $"Digest realm=\"example.com\", nonce=\"{Nonce}\", algorithm=SHA-256, qop=\"auth\"");
        auth.HandleChallenge(request, challenge);
        var retry = Next(request);
        auth.Authorize(retry);
        Assert.Equal("SHA-256", Sent(retry).AlgorithmName);
        Assert.Equal(64, Sent(retry).Response.Length);
    }

    [Fact]
    public void Rfc2069_challenge_is_answered_once_without_nc_and_not_reused()
    {
        var auth = NewAuthenticator();
        var request = Register();
        auth.HandleChallenge(request, Challenge(request, 401, $"Digest realm=\"example.com\", nonce=\"{Nonce}\""));
        var retry = Next(request);
        Assert.Equal(1, auth.Authorize(retry));
        var a = Sent(retry);
        Assert.Equal((null, null, null, null), (a.Qop, a.NonceCountText, a.CNonce, a.AlgorithmName));
        Assert.Equal("0f6789f0aeefdea763cb549c6b7b4be4", a.Response);
        Assert.Equal(0, auth.Authorize(Register(5)));
    }

    [Fact]
    public void Stale_nonce_is_retried_silently_with_the_new_nonce_and_count_one()
    {
        var auth = NewAuthenticator();
        var request = Register();
        auth.HandleChallenge(request, Challenge(request, 401, $"Digest realm=\"example.com\", nonce=\"old\", qop=\"auth\""));
        var second = Next(request);
        auth.Authorize(second);
        var third = Next(second);
        auth.Authorize(third);
        Assert.Equal("00000002", Sent(third).NonceCountText);

        var outcome = auth.HandleChallenge(third, Challenge(third, 401, "Digest realm=\"example.com\", nonce=\"new\", qop=\"auth\", stale=true"));
        Assert.Equal(DigestChallengeOutcome.Authorized, outcome);
        var fourth = Next(third);
        auth.Authorize(fourth);
        Assert.Equal(("new", "00000001"), (Sent(fourth).Nonce, Sent(fourth).NonceCountText));
    }

    [Fact]
    public void A_second_challenge_after_fresh_credentials_means_a_wrong_password_and_no_loop()
    {
        var auth = NewAuthenticator("wrong");
        var request = Register();
        Assert.Equal(DigestChallengeOutcome.Authorized, auth.HandleChallenge(request, Challenge(request, 401, "Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"")));
        var retry = Next(request);
        auth.Authorize(retry);
        Assert.Equal(DigestChallengeOutcome.CredentialsRejected, auth.HandleChallenge(retry, Challenge(retry, 401, "Digest realm=\"example.com\", nonce=\"n2\", qop=\"auth\"")));
        Assert.Equal(0, auth.CachedRealmCount);
        Assert.Equal(0, auth.Authorize(Next(retry)));
    }

    [Fact]
    public void A_refused_preemptive_nonce_gets_one_fresh_attempt()
    {
        // After a registrar restart the cached nonce is unknown and it may challenge without stale=true.
        var auth = NewAuthenticator();
        var request = Register();
        auth.HandleChallenge(request, Challenge(request, 401, "Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\""));
        var second = Next(request);
        auth.Authorize(second);
        var refresh = Next(second);
        auth.Authorize(refresh);
        Assert.Equal(DigestChallengeOutcome.Authorized, auth.HandleChallenge(refresh, Challenge(refresh, 401, "Digest realm=\"example.com\", nonce=\"n2\", qop=\"auth\"")));
        var fresh = Next(refresh);
        auth.Authorize(fresh);
        Assert.Equal(("n2", 1u), (Sent(fresh).Nonce, Sent(fresh).NonceCount));
        Assert.Equal(DigestChallengeOutcome.CredentialsRejected, auth.HandleChallenge(fresh, Challenge(fresh, 401, "Digest realm=\"example.com\", nonce=\"n3\", qop=\"auth\"")));
    }

    [Fact]
    public void Endless_stale_challenges_are_bounded()
    {
        var auth = new DigestAuthenticator([new DigestCredentials("door", "door-secret")]) { MaxStaleRetries = 2 };
        var request = Register();
        auth.HandleChallenge(request, Challenge(request, 401, "Digest realm=\"example.com\", nonce=\"n0\", qop=\"auth\""));
        var outcomes = new List<DigestChallengeOutcome>();
        for (var i = 1; i <= 4; i++)
        {
            var retry = Next(request);
            auth.Authorize(retry);
            outcomes.Add(auth.HandleChallenge(retry, Challenge(retry, 401, $"Digest realm=\"example.com\", nonce=\"n{i}\", qop=\"auth\", stale=true")));
            request = retry;
        }

        Assert.Equal([DigestChallengeOutcome.Authorized, DigestChallengeOutcome.Authorized, DigestChallengeOutcome.CredentialsRejected, DigestChallengeOutcome.Authorized], outcomes);
    }

    [Fact]
    public void Answers_407_with_Proxy_Authorization_and_keeps_both_realms()
    {
        var auth = NewAuthenticator();
        var request = Register();
        Assert.Equal(DigestChallengeOutcome.Authorized, auth.HandleChallenge(request, Challenge(request, 407, "Digest realm=\"proxy.example.com\", nonce=\"p1\", qop=\"auth\"")));
        var second = Next(request);
        auth.Authorize(second);
        Assert.Equal("proxy.example.com", Sent(second, SipHeaderNames.ProxyAuthorization).Realm);
        Assert.Equal(DigestChallengeOutcome.Authorized, auth.HandleChallenge(second, Challenge(second, 401, "Digest realm=\"example.com\", nonce=\"r1\", qop=\"auth\"")));
        var third = Next(second);
        Assert.Equal(2, auth.Authorize(third));
        Assert.Equal("00000002", Sent(third, SipHeaderNames.ProxyAuthorization).NonceCountText);
        Assert.Equal("00000001", Sent(third).NonceCountText);
    }

    [Fact]
    public void Realm_specific_credentials_win_and_unknown_realms_have_none()
    {
        var auth = new DigestAuthenticator([new DigestCredentials("other", "x", "other.org"), new DigestCredentials("door", "door-secret", "example.com")]);
        var request = Register();
        Assert.Equal(DigestChallengeOutcome.NoCredentials, auth.HandleChallenge(request, Challenge(request, 401, "Digest realm=\"nowhere\", nonce=\"n\"")));
        Assert.Equal(DigestChallengeOutcome.Authorized, auth.HandleChallenge(request, Challenge(request, 401, "Digest realm=\"example.com\", nonce=\"n\"")));
        var retry = Next(request);
        auth.Authorize(retry);
        Assert.Equal("door", Sent(retry).Username);
    }

    [Fact]
    public void Unsupported_challenges_and_other_statuses_are_refused()
    {
        var auth = NewAuthenticator();
        var request = Register();
        Assert.Equal(DigestChallengeOutcome.Unsupported, auth.HandleChallenge(request, Challenge(request, 401, "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256")));
        Assert.Equal(DigestChallengeOutcome.Unsupported, auth.HandleChallenge(request, Challenge(request, 401, "Basic realm=\"r\"")));
        Assert.Equal(DigestChallengeOutcome.Unsupported, auth.HandleChallenge(request, Challenge(request, 403)));
    }

    [Fact]
    public void Userhash_sends_the_hashed_user_name()
    {
        var auth = NewAuthenticator();
        var request = Register();
        auth.HandleChallenge(request, Challenge(request, 401, "Digest realm=\"example.com\", nonce=\"n\", algorithm=SHA-256, qop=\"auth\", userhash=true"));
        var retry = Next(request);
        auth.Authorize(retry);
        Assert.Equal(DigestCalculator.Hash(DigestAlgorithm.Sha256, "door:example.com"), Sent(retry).Username);
        Assert.True(Sent(retry).UserHash);
    }

    [Fact]
    public void Auth_int_only_challenge_hashes_the_body_and_session_algorithms_use_the_cnonce()
    {
        var auth = NewAuthenticator();
        var request = Register();
        auth.HandleChallenge(request, Challenge(request, 401, "Digest realm=\"example.com\", nonce=\"n\", algorithm=SHA-256-sess, qop=\"auth-int\""));
        var retry = Next(request);
        retry.Body = "hello"u8.ToArray();
        auth.Authorize(retry);
        var a = Sent(retry);
        Assert.Equal(("auth-int", "SHA-256-sess", "0a4f113b"), (a.Qop, a.AlgorithmName, a.CNonce));
        var ha1 = DigestCalculator.ComputeHa1(DigestAlgorithm.Sha256Sess, "door", "example.com", "door-secret", "n", "0a4f113b");
        Assert.Equal(DigestCalculator.ComputeResponse(DigestAlgorithm.Sha256Sess, ha1, "n", "auth-int", "00000001", "0a4f113b", "REGISTER", "sip:example.com", "hello"u8), a.Response);
    }

    [Fact]
    public void Authorize_replaces_old_credentials_of_a_cached_realm_and_keeps_foreign_ones()
    {
        var auth = NewAuthenticator();
        var request = Register();
        auth.HandleChallenge(request, Challenge(request, 401, "Digest realm=\"example.com\", nonce=\"n\", qop=\"auth\""));
        var retry = Next(request);
        retry.Headers.Add(SipHeaderNames.Authorization, "Digest username=\"x\", realm=\"example.com\", nonce=\"old\", uri=\"sip:example.com\", response=\"00\"");
        retry.Headers.Add(SipHeaderNames.Authorization, "Digest username=\"y\", realm=\"elsewhere\", nonce=\"e\", uri=\"sip:example.com\", response=\"00\"");
        auth.Authorize(retry);
        var lines = retry.Headers.GetLines(SipHeaderNames.Authorization);
        Assert.Equal(2, lines.Count);
        Assert.Contains(lines, l => l.Contains("realm=\"elsewhere\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("nonce=\"n\"", StringComparison.Ordinal));
    }
}

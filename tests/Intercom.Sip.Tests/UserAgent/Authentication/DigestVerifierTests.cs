using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent.Authentication;
using Microsoft.Extensions.Time.Testing;
using static Intercom.Sip.Tests.UserAgent.Authentication.DigestTestMessages;

namespace Intercom.Sip.Tests.UserAgent.Authentication;

/// <summary>The server side: HMAC nonces with expiry and nonce-count replay protection, checked against the client.</summary>
public class DigestVerifierTests
{
    private readonly FakeTimeProvider _time = new();

    private static string? Lookup(string user) => user == "door" ? "door-secret" : null;

    private (DigestVerifier Verifier, DigestAuthenticator Client, SipRequest Request) Handshake(DigestAlgorithm algorithm = DigestAlgorithm.Sha256, string password = "door-secret")
    {
        var verifier = new DigestVerifier("example.com", _time, new DigestVerifierOptions { Algorithm = algorithm });
        var client = new DigestAuthenticator(new DigestCredentials("door", password));
        var first = Register();
        Assert.Equal(DigestVerification.Missing, verifier.Verify(first, Lookup));
        var challenge = SipResponse.CreateFor(first, 401, toTag: "t");
        verifier.AddChallenge(challenge);
        Assert.Equal(DigestChallengeOutcome.Authorized, client.HandleChallenge(first, Challenge(first, 401, challenge.Headers.Get(SipHeaderNames.WwwAuthenticate)!)));
        var second = Next(first);
        client.Authorize(second);
        return (verifier, client, second);
    }

    [Theory]
    [InlineData(DigestAlgorithm.Md5)]
    [InlineData(DigestAlgorithm.Sha256)]
    public void Accepts_the_authenticators_answer_and_its_preemptive_followers(DigestAlgorithm algorithm)
    {
        var (verifier, client, request) = Handshake(algorithm);
        Assert.Equal(DigestVerification.Accepted, verifier.Verify(request, Lookup));
        var next = Next(request);
        client.Authorize(next);
        Assert.Equal(DigestVerification.Accepted, verifier.Verify(next, Lookup));
    }

    [Fact]
    public void Refuses_a_replayed_nonce_count()
    {
        var (verifier, _, request) = Handshake();
        Assert.Equal(DigestVerification.Accepted, verifier.Verify(request, Lookup));
        Assert.Equal(DigestVerification.Replayed, verifier.Verify(request, Lookup));
    }

    [Fact]
    public void Wrong_password_and_unknown_user_are_told_apart_from_stale()
    {
        var (verifier, _, request) = Handshake(password: "wrong");
        Assert.Equal(DigestVerification.WrongCredentials, verifier.Verify(request, Lookup));
        Assert.Equal(DigestVerification.UnknownUser, verifier.Verify(request, _ => null));
    }

    [Fact]
    public void Expired_nonce_with_the_right_password_is_stale()
    {
        var (verifier, _, request) = Handshake();
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(DigestVerification.Stale, verifier.Verify(request, Lookup));
    }

    [Fact]
    public void Nonce_from_another_verifier_or_tampered_is_invalid()
    {
        var (_, _, request) = Handshake();
        var other = new DigestVerifier("example.com", _time);
        Assert.Equal(DigestVerification.InvalidNonce, other.Verify(request, Lookup));
    }

    [Fact]
    public void Request_uri_must_match_the_digest_uri()
    {
        var (verifier, _, request) = Handshake();
        request.RequestUri = SipUri.Parse("sip:elsewhere.example.com");
        Assert.Equal(DigestVerification.Malformed, verifier.Verify(request, Lookup));
    }

    [Fact]
    public void Remembered_nonces_are_bounded_and_a_forgotten_one_is_stale()
    {
        var (verifier, _, request) = Handshake();
        var bounded = new DigestVerifier("example.com", _time, new DigestVerifierOptions { MaxNonces = 4, Secret = new byte[32] });
        for (var i = 0; i < 10; i++)
        {
            bounded.CreateChallenge();
        }

        Assert.True(bounded.OutstandingNonces <= 4);
        for (var i = 0; i < 10; i++)
        {
            verifier.CreateChallenge();
        }

        Assert.Equal(11, verifier.OutstandingNonces);
        _time.Advance(TimeSpan.FromMinutes(6));
        verifier.CreateChallenge();
        Assert.Equal(1, verifier.OutstandingNonces);
        Assert.Equal(DigestVerification.Stale, verifier.Verify(request, Lookup));
    }
}

using System.Net;
using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent.Authentication;
using Microsoft.Extensions.Time.Testing;
using static Intercom.Sip.Tests.UserAgent.Authentication.DigestTestMessages;

namespace Intercom.Sip.Tests.UserAgent.Authentication;

/// <summary>Online guessing against the station's digest check: per-source lockout after 5 wrong answers, on a fake clock.</summary>
public class IncomingDigestAuthenticationTests
{
    private static readonly IPAddress Guesser = IPAddress.Parse("198.51.100.66");
    private static readonly IPAddress Resident = IPAddress.Parse("198.51.100.7");
    private readonly FakeTimeProvider _time = new();
    private readonly IncomingDigestAuthentication _auth;

    public IncomingDigestAuthenticationTests() =>
        _auth = new IncomingDigestAuthentication("example.com", new DigestCredentials("door", "door-secret"), _time);

    /// <summary>A request answering a fresh challenge with <paramref name="password"/>.</summary>
    private SipRequest Answer(string password, IPAddress source)
    {
        var first = Register();
        Assert.Equal(DigestVerification.Missing, _auth.Verify(first, source));
        var challenge = SipResponse.CreateFor(first, 401, toTag: "t");
        _auth.Challenge(challenge, DigestVerification.Missing);
        var client = new DigestAuthenticator(new DigestCredentials("door", password));
        Assert.Equal(DigestChallengeOutcome.Authorized, client.HandleChallenge(first, Challenge(first, 401, [.. challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate)])));
        var next = Next(first);
        client.Authorize(next);
        return next;
    }

    [Fact]
    public void Five_wrong_answers_lock_the_source_out_even_for_the_right_password_and_only_that_source()
    {
        for (var i = 0; i < IncomingDigestAuthentication.MaxFailures; i++)
        {
            Assert.Equal(DigestVerification.WrongCredentials, _auth.Verify(Answer("guess" + i, Guesser), Guesser));
        }

        Assert.Equal(DigestVerification.LockedOut, _auth.Verify(Register(), Guesser));
        var right = Answer("door-secret", Resident);
        Assert.Equal(DigestVerification.LockedOut, _auth.Verify(right, Guesser));

        // The resident, elsewhere, is not affected.
        Assert.Equal(DigestVerification.Accepted, _auth.Verify(Answer("door-secret", Resident), Resident));
    }

    [Fact]
    public void The_lockout_ends_after_the_lockout_time_since_the_last_failure()
    {
        for (var i = 0; i < IncomingDigestAuthentication.MaxFailures; i++)
        {
            _auth.Verify(Answer("guess" + i, Guesser), Guesser);
        }

        _time.Advance(IncomingDigestAuthentication.LockoutTime - TimeSpan.FromSeconds(1));
        Assert.Equal(DigestVerification.LockedOut, _auth.Verify(Register(), Guesser));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DigestVerification.Accepted, _auth.Verify(Answer("door-secret", Guesser), Guesser));
    }

    [Fact]
    public void A_right_answer_clears_earlier_failures()
    {
        for (var i = 0; i < IncomingDigestAuthentication.MaxFailures - 1; i++)
        {
            _auth.Verify(Answer("typo" + i, Resident), Resident);
        }

        Assert.Equal(DigestVerification.Accepted, _auth.Verify(Answer("door-secret", Resident), Resident));
        Assert.Equal(DigestVerification.WrongCredentials, _auth.Verify(Answer("typo", Resident), Resident));
        Assert.Equal(DigestVerification.Accepted, _auth.Verify(Answer("door-secret", Resident), Resident));
    }

    [Fact]
    public void An_ipv6_source_is_locked_out_by_its_64_and_memory_is_bounded()
    {
        var a = IPAddress.Parse("2001:db8:1:2::a");
        var b = IPAddress.Parse("2001:db8:1:2::b");
        for (var i = 0; i < IncomingDigestAuthentication.MaxFailures; i++)
        {
            _auth.Verify(Answer("guess" + i, i % 2 == 0 ? a : b), i % 2 == 0 ? a : b);
        }

        Assert.Equal(DigestVerification.LockedOut, _auth.Verify(Register(), IPAddress.Parse("2001:db8:1:2::c")));
        Assert.Equal(DigestVerification.Missing, _auth.Verify(Register(), IPAddress.Parse("2001:db8:1:3::a")));

        // Failures from many addresses: the table stays bounded.
        var wrong = Answer("guess", Resident);
        for (var i = 0; i < 3000; i++)
        {
            _auth.Verify(wrong, new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]));
        }

        Assert.InRange(_auth.TrackedSources, 1, 1024);
    }

}

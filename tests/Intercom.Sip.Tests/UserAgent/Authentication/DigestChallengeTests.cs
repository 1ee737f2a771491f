using CsCheck;
using Intercom.Sip.Messages;
using Intercom.Sip.UserAgent.Authentication;

namespace Intercom.Sip.Tests.UserAgent.Authentication;

/// <summary>Parsing WWW-Authenticate / Proxy-Authenticate (RFC 3261 §25.1, RFC 2617 §3.2.1, RFC 7616 §3.3).</summary>
public class DigestChallengeTests
{
    [Fact]
    public void Reads_the_RFC_2617_example_challenge()
    {
        Assert.True(DigestChallenge.TryParse(
            "Digest\r\n realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
                .Replace("\r\n", "", StringComparison.Ordinal),
            out var c));
        Assert.Equal("testrealm@host.com", c.Realm);
        Assert.Equal("dcd98b7102dd2f0e8b11d0f600bfb0c093", c.Nonce);
        Assert.Equal("5ccc069c403ebaf9f0171e9517f40e41", c.Opaque);
        Assert.True(c.OffersAuth);
        Assert.True(c.OffersAuthInt);
        Assert.Null(c.AlgorithmName);
        Assert.Equal(DigestAlgorithm.Md5, c.Algorithm);
        Assert.False(c.Stale);
        Assert.True(c.IsSupported);
    }

    [Theory]
    [InlineData("MD5", DigestAlgorithm.Md5)]
    [InlineData("md5-SESS", DigestAlgorithm.Md5Sess)]
    [InlineData("SHA-256", DigestAlgorithm.Sha256)]
    [InlineData("sha-256-sess", DigestAlgorithm.Sha256Sess)]
    public void Reads_algorithms_case_insensitively(string token, DigestAlgorithm expected)
    {
        Assert.True(DigestChallenge.TryParse($"Digest realm=\"r\", nonce=\"n\", algorithm={token}", out var c));
        Assert.Equal(expected, c.Algorithm);
        Assert.True(c.IsSupported);
    }

    [Fact]
    public void Unknown_algorithm_or_qop_is_parsed_but_not_supported()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256", out var a));
        Assert.False(a.IsSupported);
        Assert.True(DigestChallenge.TryParse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"", out var q));
        Assert.True(q.HasQop);
        Assert.False(q.IsSupported);
    }

    [Fact]
    public void Reads_stale_opaque_userhash_and_escaped_quotes()
    {
        Assert.True(DigestChallenge.TryParse(
            "Digest realm=\"a \\\"quoted\\\", realm\",nonce=\"n1\" ,  stale=TRUE, userhash=true, opaque=\"o,p\", domain=\"sip:example.com\", x-ext=1",
            out var c));
        Assert.Equal("a \"quoted\", realm", c.Realm);
        Assert.True(c.Stale);
        Assert.True(c.UserHash);
        Assert.Equal("o,p", c.Opaque);
        Assert.Equal("sip:example.com", c.Domain);
        Assert.False(c.HasQop);
    }

    [Fact]
    public void Several_challenges_on_one_line_and_on_several_lines_are_all_read()
    {
        var response = new SipResponse(401);
        response.Headers.Add(SipHeaderNames.WwwAuthenticate, "Basic realm=\"web\", Digest realm=\"a\", nonce=\"1\", algorithm=SHA-256, Digest realm=\"a\", nonce=\"2\"");
        response.Headers.Add(SipHeaderNames.WwwAuthenticate, "Digest realm=\"b\", nonce=unquoted/value==, qop=auth");
        response.Headers.Add(SipHeaderNames.WwwAuthenticate, "Negotiate abc==");
        var all = DigestChallenge.ParseAll(response, SipHeaderNames.WwwAuthenticate);
        Assert.Equal(["a/1/SHA-256", "a/2/", "b/unquoted/value==/"], all.Select(c => $"{c.Realm}/{c.Nonce}/{c.AlgorithmName}"));
        Assert.True(all[2].OffersAuth);
    }

    [Theory]
    [InlineData("Digest realm=\"r\"")]
    [InlineData("Digest realm=\"r\", nonce=\"unterminated")]
    [InlineData("Basic realm=\"r\"")]
    [InlineData("")]
    [InlineData(",,, ,")]
    [InlineData("Digest realm=\"r\" nonce=\"n\"")]
    public void Malformed_or_non_digest_values_give_no_challenge(string text)
    {
        Assert.False(DigestChallenge.TryParse(text, out _));
    }

    [Fact]
    public void Challenge_written_by_the_verifier_reads_back()
    {
        var written = new DigestChallenge("door \"1\"", "abc", DigestAlgorithm.Sha256) { Opaque = "xyz", Stale = true }.ToString();
        Assert.True(DigestChallenge.TryParse(written, out var c));
        Assert.Equal(("door \"1\"", "abc", DigestAlgorithm.Sha256, "xyz", true, true), (c.Realm, c.Nonce, c.Algorithm, c.Opaque, c.Stale, c.OffersAuth));
    }

    [Fact]
    public void Hostile_input_never_throws()
    {
        Gen.String[Gen.Char["Digest realm=nonce\"\\,= \tqop=auth"], 0, 200].Sample(text =>
        {
            DigestChallenge.TryParse(text, out _);
            DigestAuthorization.TryParse(text, out _);
        }, iter: 5000);
    }

    [Fact]
    public void Challenge_count_per_line_is_bounded()
    {
        var response = new SipResponse(401);
        response.Headers.Add(SipHeaderNames.WwwAuthenticate, string.Join(", ", Enumerable.Range(0, 100).Select(i => $"Digest realm=\"r{i}\", nonce=\"n\"")));
        Assert.True(DigestChallenge.ParseAll(response, SipHeaderNames.WwwAuthenticate).Count <= 8);
    }
}

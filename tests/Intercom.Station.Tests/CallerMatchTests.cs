using Intercom.Station.Calls;

namespace Intercom.Station.Tests;

public sealed class CallerMatchTests
{
    [Theory]
    [InlineData("sip:alice@example.com", "sip:alice@example.com", true)]
    [InlineData("sip:alice@example.com", "sip:alice@127.0.0.1", false)]
    [InlineData("sip:resident@127.0.0.1", "sip:resident@10.0.0.9", false)]
    [InlineData("sip:alice@example.com", "sip:alice:secret@EXAMPLE.com;transport=udp", true)]
    [InlineData("sip:alice@example.com", "<sips:alice@example.com:5061>", true)]
    [InlineData("sip:alice@example.com", "sip:Alice@example.com", false)]
    [InlineData("sip:alice@example.com", "sip:alice@example.com.evil", false)]
    [InlineData("sip:alice@[2001:db8::1]", "sip:alice@[2001:db8::1]:5060", true)]
    [InlineData("alice@example.com", "sip:alice@example.com", true)]
    [InlineData("101", "sip:101@10.0.0.2;user=phone", true)]
    [InlineData("101", "sip:10@10.0.0.2", false)]
    [InlineData("101", "sip:10.0.0.2", false)]
    [InlineData("101", "101", false)]
    public void Allowlist_entry_matches_caller(string entry, string caller, bool expected)
    {
        Assert.Equal(expected, CallerMatch.IsAllowed([entry], caller, CallerOrigin.Registrar));
    }

    [Theory]
    [InlineData(CallerOrigin.Registrar, true)]
    [InlineData(CallerOrigin.TrustedSource, true)]
    [InlineData(CallerOrigin.Authenticated, false)]
    [InlineData(CallerOrigin.Unverified, false)]
    public void An_extension_matches_only_a_caller_through_the_registrar_or_a_trusted_source(CallerOrigin origin, bool expected)
    {
        // "101" is a user name of the PBX or network the call came through; a caller from elsewhere may claim any user name.
        Assert.Equal(expected, CallerMatch.IsAllowed(["101"], "sip:101@10.0.0.2", origin));
    }

    [Theory]
    [InlineData(CallerOrigin.Registrar, true)]
    [InlineData(CallerOrigin.TrustedSource, true)]
    [InlineData(CallerOrigin.Authenticated, true)]
    [InlineData(CallerOrigin.Unverified, false)]
    public void A_whole_uri_matches_user_and_host_for_any_vouched_caller_and_nothing_for_an_unverified_one(CallerOrigin origin, bool expected)
    {
        Assert.Equal(expected, CallerMatch.IsAllowed(["sip:alice@example.com"], "sip:alice@example.com", origin));
    }

    [Fact]
    public void Oversized_caller_is_refused()
    {
        Assert.False(CallerMatch.IsAllowed(["101"], "sip:101@" + new string('a', 600), CallerOrigin.Registrar));
    }

    [Theory]
    [InlineData("sip:alice@example.com", true)]
    [InlineData("sips:door@[::1]:5061", true)]
    [InlineData("sip:example.com", true)]
    [InlineData("101", true)]
    [InlineData("residents", true)]
    [InlineData("sip:", false)]
    [InlineData("sip:@", false)]
    [InlineData("http://example.com", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    public void Plausible_targets(string target, bool expected)
    {
        Assert.Equal(expected, CallerMatch.IsPlausibleTarget(target));
    }
}

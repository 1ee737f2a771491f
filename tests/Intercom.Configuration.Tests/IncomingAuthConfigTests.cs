using Intercom.Station.Configuration;

namespace Intercom.Configuration.Tests;

/// <summary><c>sip.incomingAuth</c>: off by default; when on, a user and a password of some length; quotable realm.</summary>
public class IncomingAuthConfigTests
{
    private static List<ConfigError> Errors(SipIncomingAuthConfig auth)
    {
        var config = new IntercomConfig();
        config.Sip.IncomingAuth = auth;
        return [.. ConfigValidator.Validate(config).Where(e => e.Path.StartsWith("sip.incomingAuth", StringComparison.Ordinal))];
    }

    [Fact]
    public void Off_by_default_and_valid_without_credentials()
    {
        Assert.False(new SipConfig().IncomingAuth.Enabled);
        Assert.Empty(Errors(new SipIncomingAuthConfig()));
    }

    [Fact]
    public void Enabled_with_user_and_password_is_valid()
    {
        Assert.Empty(Errors(new SipIncomingAuthConfig { Enabled = true, Username = "resident", Password = "kitchen-phone-77" }));
    }

    [Theory]
    [InlineData(null, "kitchen-phone-77", "sip.incomingAuth.username")]
    [InlineData("res\"ident", "kitchen-phone-77", "sip.incomingAuth.username")]
    [InlineData("resident", null, "sip.incomingAuth.password")]
    [InlineData("resident", "short", "sip.incomingAuth.password")]
    public void Enabled_without_usable_credentials_is_refused_by_field(string? user, string? password, string field)
    {
        var error = Assert.Single(Errors(new SipIncomingAuthConfig { Enabled = true, Username = user, Password = password }));
        Assert.Equal(field, error.Path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("door\\station")]
    [InlineData("a realm with a \" quote")]
    public void A_realm_that_cannot_be_quoted_is_refused(string realm)
    {
        var error = Assert.Single(Errors(new SipIncomingAuthConfig { Realm = realm }));
        Assert.Equal("sip.incomingAuth.realm", error.Path);
    }

    [Theory]
    [InlineData("SHA-512", "sip.incomingAuth.algorithms[0]")]
    [InlineData("MD5-sess", "sip.incomingAuth.algorithms[0]")]
    public void Only_sha256_and_md5_are_offered(string algorithm, string field)
    {
        var error = Assert.Single(Errors(new SipIncomingAuthConfig { Algorithms = [algorithm] }));
        Assert.Equal(field, error.Path);
    }

    [Fact]
    public void Algorithms_are_listed_once_and_at_least_one()
    {
        Assert.Equal("sip.incomingAuth.algorithms[1]", Assert.Single(Errors(new SipIncomingAuthConfig { Algorithms = ["MD5", "MD5"] })).Path);
        Assert.Equal("sip.incomingAuth.algorithms", Assert.Single(Errors(new SipIncomingAuthConfig { Algorithms = [] })).Path);
        Assert.Empty(Errors(new SipIncomingAuthConfig { Algorithms = ["MD5"] }));
    }
}

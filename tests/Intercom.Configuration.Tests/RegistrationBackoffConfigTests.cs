using System.Text;

namespace Intercom.Configuration.Tests;

/// <summary><c>sip.registrationBackoff</c>: RFC 5626 §4.5's values by default, bounded, named in errors.</summary>
public class RegistrationBackoffConfigTests
{
    [Fact]
    public void Defaults_are_rfc_5626_base_time_and_max_time()
    {
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(TestConfigs.MinimalJson), out var config, out var errors), string.Join("\n", errors));
        Assert.Equal(30, config!.Sip.RegistrationBackoff.BaseSeconds);
        Assert.Equal(1800, config.Sip.RegistrationBackoff.MaxSeconds);
    }

    [Fact]
    public void A_shorter_backoff_loads()
    {
        var json = """{ "sip": { "registrationBackoff": { "baseSeconds": 5, "maxSeconds": 60 } }, "station": { "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ] } }""";
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out var config, out var errors), string.Join("\n", errors));
        Assert.Equal(5, config!.Sip.RegistrationBackoff.BaseSeconds);
        Assert.Equal(60, config.Sip.RegistrationBackoff.MaxSeconds);
    }

    [Theory]
    [InlineData(0, 1800, "sip.registrationBackoff.baseSeconds", "outside")]
    [InlineData(3601, 7200, "sip.registrationBackoff.baseSeconds", "outside")]
    [InlineData(30, 0, "sip.registrationBackoff.maxSeconds", "outside")]
    [InlineData(30, 86_401, "sip.registrationBackoff.maxSeconds", "outside")]
    [InlineData(60, 30, "sip.registrationBackoff.maxSeconds", "baseSeconds")]
    public void Out_of_range_values_are_refused_by_field(int baseSeconds, int maxSeconds, string field, string reason)
    {
        var config = new IntercomConfig();
        config.Sip.RegistrationBackoff = new SipRegistrationBackoffConfig { BaseSeconds = baseSeconds, MaxSeconds = maxSeconds };
        var errors = ConfigValidator.Validate(config).Where(e => e.Path.StartsWith("sip.registrationBackoff", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Path);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }
}

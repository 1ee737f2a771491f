using System.Text;

namespace Intercom.Configuration.Tests;

/// <summary><c>sip.rateLimit.maxConnectionsPerSource</c> and <c>maxConnections</c>: 8 and 128 by default, bounded, named in errors.</summary>
public class RateLimitConnectionCapsConfigTests
{
    [Fact]
    public void Defaults_are_8_per_source_and_128_in_all()
    {
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(TestConfigs.MinimalJson), out var config, out var errors), string.Join("\n", errors));
        Assert.Equal(8, config!.Sip.RateLimit.MaxConnectionsPerSource);
        Assert.Equal(128, config.Sip.RateLimit.MaxConnections);
    }

    [Fact]
    public void Other_caps_load()
    {
        var json = """{ "sip": { "rateLimit": { "maxConnectionsPerSource": 2, "maxConnections": 16 } }, "station": { "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@127.0.0.1" ] } ] } }""";
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out var config, out var errors), string.Join("\n", errors));
        Assert.Equal(2, config!.Sip.RateLimit.MaxConnectionsPerSource);
        Assert.Equal(16, config.Sip.RateLimit.MaxConnections);
    }

    [Theory]
    [InlineData(0, 128, "sip.rateLimit.maxConnectionsPerSource", "outside")]
    [InlineData(1025, 4096, "sip.rateLimit.maxConnectionsPerSource", "outside")]
    [InlineData(8, 0, "sip.rateLimit.maxConnections", "outside")]
    [InlineData(8, 4097, "sip.rateLimit.maxConnections", "outside")]
    [InlineData(16, 8, "sip.rateLimit.maxConnectionsPerSource", "maxConnections")]
    public void Out_of_range_values_are_refused_by_field(int perSource, int total, string field, string reason)
    {
        var config = new IntercomConfig();
        config.Sip.RateLimit = new SipRateLimitConfig { MaxConnectionsPerSource = perSource, MaxConnections = total };
        var errors = ConfigValidator.Validate(config).Where(e => e.Path.StartsWith("sip.rateLimit", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Path);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }
}

using System.Text;

namespace Intercom.Configuration.Tests;

/// <summary>web.allowedHosts holds plain host names: the Host check compares names, not URLs or patterns.</summary>
public sealed class WebAllowedHostsTests
{
    private static IReadOnlyList<Station.Configuration.ConfigError> Errors(string hosts)
    {
        var json = TestConfigs.MinimalJson[..^1] + $", \"web\": {{ \"allowedHosts\": {hosts} }} }}";
        ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out _, out var errors);
        return errors;
    }

    [Fact]
    public void Host_names_are_accepted()
    {
        Assert.Empty(Errors("""[ "door.home.example", "intercom", "pi-4.lan." ]"""));
    }

    [Theory]
    [InlineData("door.example:8080")]
    [InlineData("http://door.example")]
    [InlineData("*.example")]
    [InlineData("-door.example")]
    [InlineData("door..example")]
    [InlineData("")]
    public void Anything_else_is_refused_by_name(string host)
    {
        var error = Assert.Single(Errors($"[ \"ok.example\", \"{host}\" ]"));
        Assert.Equal("web.allowedHosts[1]", error.Path);
        Assert.Contains("is not a host name", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void At_most_32_names()
    {
        var hosts = "[" + string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"h{i}.example\"")) + "]";
        Assert.Equal("web.allowedHosts", Assert.Single(Errors(hosts)).Path);
    }
}

using System.Text;

namespace Intercom.Configuration.Tests;

/// <summary>accounts[].nat.stun (issue #19): RFC 7064 STUN URIs, each refused with its field and reason.</summary>
public class AccountNatConfigTests
{
    private static List<string> Errors(string nat)
    {
        var json = $$"""{ "accounts": [ { "id": "a", "aor": "sip:door@pbx.example", "nat": {{nat}} } ], "station": { "ringGroups": [ { "id": "residents", "targets": [ "101" ] } ] } }""";
        ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out _, out var errors);
        return errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Stun_uris_with_names_addresses_and_ports_are_accepted()
    {
        Assert.Empty(Errors("""{ "stun": [ "stun:stun.example.org", "stun:192.0.2.1:3479", "STUN:[2001:db8::1]:3478", "stun:[::1]" ] }"""));
        Assert.Empty(Errors("""{ "stun": [] }"""));
        Assert.Empty(Errors("{}"));
    }

    [Fact]
    public void The_parsed_server_has_the_default_port_3478()
    {
        Assert.True(StunServerUri.TryParse("stun:stun.example.org", out var host, out var port, out _));
        Assert.Equal(("stun.example.org", 3478), (host, port));
        Assert.True(StunServerUri.TryParse("stun:[2001:db8::1]:5349", out host, out port, out _));
        Assert.Equal(("2001:db8::1", 5349), (host, port));
    }

    [Fact]
    public void Stuns_is_refused_for_now_with_a_clear_reason()
    {
        var error = Assert.Single(Errors("""{ "stun": [ "stun:stun.example.org", "stuns:stun.example.org" ] }"""));
        Assert.Equal("accounts[0].nat.stun[1]: 'stuns:stun.example.org': stuns: (STUN over TLS) is not supported yet; use stun:", error);
    }

    [Theory]
    [InlineData("turn:turn.example.org", "is not a STUN URI")]
    [InlineData("stun.example.org", "is not a STUN URI")]
    [InlineData("stun:", "names no host")]
    [InlineData("stun://stun.example.org", "is not a host name")]
    [InlineData("stun:user@stun.example.org", "is not a host name")]
    [InlineData("stun:stun.example.org:0", "the port must be 1-65535")]
    [InlineData("stun:stun.example.org:65536", "the port must be 1-65535")]
    [InlineData("stun:stun.example.org:34x", "the port must be 1-65535")]
    [InlineData("stun:[2001:db8::1", "is not an IPv6 address")]
    [InlineData("stun:[192.0.2.1]", "is not an IPv6 address")]
    [InlineData("stun:[::1]x", "after the host")]
    [InlineData("", "must be a STUN URI")]
    public void A_bad_stun_uri_is_a_field_error_naming_the_entry(string uri, string reason)
    {
        var error = Assert.Single(Errors($$"""{ "stun": [ "{{uri}}" ] }"""));
        Assert.StartsWith("accounts[0].nat.stun[0]: ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_list_is_bounded()
    {
        var many = string.Join(", ", Enumerable.Range(1, ConfigValidator.MaxStunServers + 1).Select(i => $"\"stun:192.0.2.{i}\""));
        Assert.Contains("accounts[0].nat.stun: at most 8 STUN servers", Errors($$"""{ "stun": [ {{many}} ] }"""));
    }

    [Fact]
    public void A_null_list_or_unknown_nat_field_is_a_json_error()
    {
        Assert.NotEmpty(Errors("""{ "stun": null }"""));
        Assert.NotEmpty(Errors("""{ "turn": [] }"""));
    }
}

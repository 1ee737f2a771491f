using System.Text;

namespace Intercom.Configuration.Tests;

/// <summary>accounts[].nat.turn (issue #19): RFC 7065 TURN URIs and the long-term credential, each refused with its field.</summary>
public class AccountNatTurnConfigTests
{
    private static List<string> Errors(string turn)
    {
        var json = $$"""{ "accounts": [ { "id": "a", "aor": "sip:door@pbx.example", "nat": { "turn": {{turn}} } } ], "station": { "ringGroups": [ { "id": "residents", "targets": [ "101" ] } ] } }""";
        ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out _, out var errors);
        return errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Turn_and_turns_uris_with_a_credential_are_accepted()
    {
        Assert.Empty(Errors("""{ "servers": [ "turn:turn.example.org", "turn:192.0.2.1:3479?transport=tcp", "TURNS:[2001:db8::1]", "turn:turn.example.org?transport=UDP", "turns:turn.example.org:443?transport=tcp" ], "username": "door", "password": "a-long-secret" }"""));
        Assert.Empty(Errors("{}"));
        Assert.Empty(Errors("""{ "servers": [] }"""));
    }

    [Theory]
    [InlineData("turn:turn.example.org", "turn.example.org", 3478, "udp")]
    [InlineData("turn:turn.example.org:80?transport=tcp", "turn.example.org", 80, "tcp")]
    [InlineData("turns:turn.example.org", "turn.example.org", 5349, "tls")]
    [InlineData("turns:[2001:db8::1]:443?transport=tcp", "2001:db8::1", 443, "tls")]
    public void The_parsed_server_has_rfc_7065_defaults(string uri, string host, int port, string transport)
    {
        Assert.True(TurnServerUri.TryParse(uri, out var h, out var p, out var t, out var error), error);
        Assert.Equal((host, port, transport), (h, p, t));
    }

    [Theory]
    [InlineData("stun:turn.example.org", "is not a TURN URI")]
    [InlineData("turns:turn.example.org?transport=udp", "DTLS, which is not supported")]
    [InlineData("turn:turn.example.org?transport=sctp", "transport=udp or transport=tcp")]
    [InlineData("turn:turn.example.org?foo=bar", "transport=udp or transport=tcp")]
    [InlineData("turn:", "names no host")]
    [InlineData("turn://turn.example.org", "is not a host name")]
    [InlineData("turn:user@turn.example.org", "is not a host name")]
    [InlineData("turn:turn.example.org:0", "the port must be 1-65535")]
    [InlineData("turn:[192.0.2.1]", "is not an IPv6 address")]
    [InlineData("", "must be a TURN URI")]
    public void A_bad_turn_uri_is_a_field_error_naming_the_entry(string uri, string reason)
    {
        var error = Assert.Single(Errors($$"""{ "servers": [ "{{uri}}" ], "username": "door", "password": "a-long-secret" }"""));
        Assert.StartsWith("accounts[0].nat.turn.servers[0]: ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Servers_need_a_username_and_a_password()
    {
        Assert.Equal(
            ["accounts[0].nat.turn.username: needed when TURN servers are listed", "accounts[0].nat.turn.password: needed when TURN servers are listed"],
            Errors("""{ "servers": [ "turn:turn.example.org" ] }"""));
    }

    [Fact]
    public void A_real_station_refuses_an_example_password_without_echoing_it()
    {
        var config = new IntercomConfig();
        config.Accounts.Add(new SipAccountConfig { Id = "pbx", Aor = "sip:door@pbx.example", Password = "Pbx-Door-Secret-5" });
        config.Accounts[0].Nat.Turn = new SipAccountTurnConfig { Servers = ["turn:turn.example.org"], Username = "door", Password = "change-me" };

        Assert.DoesNotContain(ConfigValidator.Validate(config), e => e.Path.Contains("turn", StringComparison.Ordinal));
        var error = Assert.Single(ConfigValidator.Validate(config, runsForReal: true), e => e.Path.Contains("turn", StringComparison.Ordinal));
        Assert.Equal("accounts[0].nat.turn.password: is an example value from the documentation: choose your own", error.ToString());
    }

    [Fact]
    public void The_list_is_bounded()
    {
        var servers = string.Join(", ", Enumerable.Range(1, ConfigValidator.MaxTurnServers + 1).Select(i => $"\"turn:t{i}.example.org\""));
        var error = Assert.Single(Errors($$"""{ "servers": [ {{servers}} ], "username": "door", "password": "a-long-secret" }"""));
        Assert.Equal($"accounts[0].nat.turn.servers: at most {ConfigValidator.MaxTurnServers} TURN servers", error);
    }
}

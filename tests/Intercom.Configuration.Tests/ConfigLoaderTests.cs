using System.Text;
using Intercom.Configuration;
using Intercom.Station.Configuration;

namespace Intercom.Configuration.Tests;

public class ConfigLoaderTests
{
    private static IReadOnlyList<ConfigError> Errors(string json)
    {
        Assert.False(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out var config, out var errors));
        Assert.Null(config);
        return errors;
    }

    [Fact]
    public void The_example_configuration_is_valid_also_for_a_real_station()
    {
        // It is what the package installs as /etc/intercom/intercom.json: the service must start on it.
        var path = Path.Combine(AppContext.BaseDirectory, "intercom.example.json");
        Assert.True(ConfigLoader.TryLoad(path, out var config, out var errors, runsForReal: true), string.Join("\n", errors));
        Assert.Equal("Front door", config!.Name);
    }

    [Fact]
    public void Defaults_apply_to_an_empty_object()
    {
        Assert.True(ConfigLoader.TryParse(System.Text.Encoding.UTF8.GetBytes(TestConfigs.MinimalJson), out var config, out var errors), string.Join("\n", errors));
        Assert.Equal(500, config!.Sip.Timers.T1Ms);
        Assert.Equal(5060, config.Sip.Listen[0].Port);
        Assert.Equal(["opus", "g722", "pcmu", "pcma"], config.Media.Codecs);
    }

    [Fact]
    public void A_misspelt_field_is_refused_by_name()
    {
        var e = Assert.Single(Errors("""{ "accounts": [ { "id": "a", "aor": "sip:a@b", "pasword": "x" } ] }"""));
        Assert.Equal("accounts[0].pasword", e.Path);
        Assert.StartsWith("unknown field", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_type_names_the_field_and_the_expected_type()
    {
        var e = Assert.Single(Errors("""{ "accounts": [ { "id": "a", "aor": "sip:a@b", "expiresSeconds": "ten" } ] }"""));
        Assert.Equal("accounts[0].expiresSeconds", e.Path);
        Assert.StartsWith("expected a whole number", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_json_is_refused_with_a_line()
    {
        var e = Assert.Single(Errors("{ \"name\": \"x\",\n"));
        Assert.Contains("(line", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_configuration_is_valid_and_lists_what_is_missing()
    {
        // Nothing set up yet: it starts, opens nothing, calls nobody, and says so.
        Assert.True(ConfigLoader.TryParse("{}"u8, out var config, out var errors), string.Join("\n", errors));
        Assert.Equal(
            [
                "no door codes (station.codes): nobody can open the door with a code",
                "no ring group targets (station.ringGroups[].targets): the call button calls nobody",
                "no SIP account (accounts): the station is registered nowhere and calls only full SIP URIs",
            ],
            SetupStatus.Missing(config!));
    }

    [Fact]
    public void Every_invalid_field_is_reported_with_its_reason()
    {
        var errors = Errors("""
            {
              "sip": { "listen": [ { "transport": "sctp", "address": "nowhere", "port": 70000 } ], "timers": { "t1Ms": 5000, "t2Ms": 4000 } },
              "accounts": [
                { "id": "a", "aor": "http://x", "transport": "udp", "srtp": "required" },
                { "id": "a", "aor": "sip:b@c", "expiresSeconds": 5 }
              ],
              "media": { "codecs": [ "gsm" ], "ptimeMs": 25, "rtpPortMin": 20000, "rtpPortMax": 20000 }
            }
            """).Select(e => e.ToString()).ToList();
        Assert.Contains("sip.listen[0].transport: 'sctp' is not one of udp, tcp, tls", errors);
        Assert.Contains("sip.listen[0].address: 'nowhere' is not an IP address", errors);
        Assert.Contains("sip.listen[0].port: 70000 is not a port number (0-65535)", errors);
        Assert.Contains("sip.timers.t2Ms: must not be smaller than t1Ms (5000)", errors);
        Assert.Contains("accounts[0].aor: 'http://x' is not a sip: or sips: URI", errors);
        Assert.Contains("accounts[0].srtp: SRTP keyed by SDES needs transport tls", errors);
        Assert.Contains("accounts[1].id: 'a' is already used by another account", errors);
        Assert.Contains("accounts[1].expiresSeconds: 5 is outside 60-86400", errors);
        Assert.Contains("media.codecs[0]: 'gsm' is not one of opus, g722, pcmu, pcma", errors);
        Assert.Contains("media.ptimeMs: 25 is not one of 10, 20, 30, 40, 60", errors);
        Assert.Contains("media.rtpPortMax: must leave room for at least one RTP/RTCP pair above rtpPortMin (20000)", errors);
    }

    [Fact]
    public void Serialised_configuration_reads_back_equal()
    {
        var config = TestConfigs.Minimal("Gate");
        config.Accounts.Add(new SipAccountConfig { Id = "pbx", Aor = "sip:door@pbx.example", Password = "s3cret", Transport = "tls", Srtp = "required" });
        var json = ConfigLoader.Serialize(config);
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out var back, out var errors), string.Join("\n", errors));
        Assert.Equal(json, ConfigLoader.Serialize(back!));
    }
}

using System.Text;

namespace Intercom.Configuration.Tests;

/// <summary>
/// Issue #18: a ring group may name the account its calls go out through (accounts[].id). A name no account has would
/// fail every call of the group, so the file is refused with the field and the name.
/// </summary>
public class RingGroupAccountTests
{
    private static List<string> Errors(string groupAccount)
    {
        var json = $$"""
            {
              "accounts": [ { "id": "pbx-udp", "aor": "sip:door@pbx.example" }, { "id": "pbx-tls", "aor": "sip:door2@pbx.example", "transport": "tls" } ],
              "station": { "ringGroups": [ { "id": "residents", "account": {{groupAccount}}, "targets": [ "101" ] } ] }
            }
            """;
        var parsed = ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out _, out var errors);
        Assert.Equal(parsed, errors.Count == 0);
        return errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void A_ring_group_naming_an_unknown_account_is_a_field_error()
    {
        Assert.Equal(["station.ringGroups[0].account: no account \"x\""], Errors("\"x\""));
    }

    [Fact]
    public void A_ring_group_naming_an_account_or_none_is_accepted()
    {
        Assert.Empty(Errors("\"pbx-tls\""));
        Assert.Empty(Errors("null"));
    }

    [Fact]
    public void The_account_is_read_from_the_file()
    {
        var json = """{ "accounts": [ { "id": "pbx-tls", "aor": "sip:door2@pbx.example", "transport": "tls" } ], "station": { "ringGroups": [ { "id": "residents", "account": "pbx-tls", "targets": [ "101" ] } ] } }""";
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out var config, out var errors), string.Join("; ", errors));
        Assert.Equal("pbx-tls", config!.Station.RingGroups[0].Account);
    }
}

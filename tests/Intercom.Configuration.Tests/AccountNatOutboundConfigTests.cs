using System.Text;

namespace Intercom.Configuration.Tests;

/// <summary><c>accounts[].nat.outbound</c>: SIP outbound (RFC 5626) offered unless the file says not to.</summary>
public class AccountNatOutboundConfigTests
{
    private static string Json(string nat) => $$"""
        { "accounts": [ { "id": "pbx", "aor": "sip:door@pbx.example.org", "password": "p"{{nat}} } ],
          "station": { "ringGroups": [ { "id": "residents", "targets": [ "sip:resident@pbx.example.org" ] } ] } }
        """;

    [Fact]
    public void Outbound_is_offered_by_default()
    {
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(Json("")), out var config, out var errors), string.Join("\n", errors));
        Assert.True(config!.Accounts[0].Nat.Outbound);
    }

    [Fact]
    public void Outbound_false_loads()
    {
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(Json(""", "nat": { "outbound": false }""")), out var config, out var errors), string.Join("\n", errors));
        Assert.False(config!.Accounts[0].Nat.Outbound);
    }

    [Theory]
    [InlineData(""", "nat": { "outbund": false }""")]
    [InlineData(""", "nat": { "outbound": "no" }""")]
    [InlineData(""", "nat": null""")]
    public void A_misspelt_or_mistyped_nat_is_refused(string nat)
    {
        Assert.False(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(Json(nat)), out _, out var errors));
        Assert.NotEmpty(errors);
    }
}

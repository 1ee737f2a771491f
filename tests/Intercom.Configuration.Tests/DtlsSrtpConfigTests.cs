namespace Intercom.Configuration.Tests;

public sealed class DtlsSrtpConfigTests
{
    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    [InlineData("tls")]
    public void Dtls_srtp_is_accepted_on_any_transport(string transport)
    {
        string json = $$"""{ "accounts": [ { "id": "a", "aor": "sip:door@pbx.example", "transport": "{{transport}}", "srtp": "dtls-srtp" } ] }""";
        Assert.True(ConfigLoader.TryParse(System.Text.Encoding.UTF8.GetBytes(json), out var config, out var errors), string.Join("\n", errors));
        Assert.Equal("dtls-srtp", config!.Accounts[0].Srtp);
    }

    [Fact]
    public void An_unknown_policy_is_named_with_the_choices()
    {
        Assert.False(ConfigLoader.TryParse("""{ "accounts": [ { "id": "a", "aor": "sip:door@pbx.example", "srtp": "dtls" } ] }"""u8, out _, out var errors));
        Assert.Contains(errors, e => e.ToString() == "accounts[0].srtp: 'dtls' is not one of off, offered, required, dtls-srtp");
    }
}

using System.Text;

namespace Intercom.Configuration.Tests;

/// <summary>
/// Account URIs are validated with the SIP stack's own parser: a file that `check-config` accepts must not stop the
/// station at start (an AOR without a user aborted `intercom run` in RegistrationClient; a space in the user part threw
/// a FormatException from SipUri.Parse).
/// </summary>
public class AccountUriValidationTests
{
    private static List<string> Errors(string account)
    {
        var json = $$"""{ "accounts": [ {{account}} ], "station": { "ringGroups": [ { "id": "residents", "targets": [ "101" ] } ] } }""";
        ConfigLoader.TryParse(Encoding.UTF8.GetBytes(json), out _, out var errors);
        return errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void An_aor_without_a_user_is_a_field_error()
    {
        Assert.Contains("accounts[0].aor: 'sip:127.0.0.1' has no user part (sip:user@host)", Errors("""{ "id": "a", "aor": "sip:127.0.0.1" }"""));
    }

    [Theory]
    [InlineData("sip:a b@127.0.0.1")]
    [InlineData("sip:door@")]
    [InlineData("sip:door@pbx.example:99999")]
    public void An_aor_the_sip_parser_refuses_is_a_field_error(string aor)
    {
        var error = Assert.Single(Errors($$"""{ "id": "a", "aor": "{{aor}}" }"""));
        Assert.StartsWith($"accounts[0].aor: '{aor}' is not a SIP URI (", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Registrar_and_proxy_are_parsed_too_and_need_no_user()
    {
        Assert.Empty(Errors("""{ "id": "a", "aor": "sip:door@pbx.example", "registrar": "sip:pbx.example;transport=tcp", "outboundProxy": "sip:192.0.2.1:5070;lr" }"""));
        var errors = Errors("""{ "id": "a", "aor": "sip:door@pbx.example", "registrar": "sip:pbx example", "outboundProxy": "sip:[::1" }""");
        Assert.Contains(errors, e => e.StartsWith("accounts[0].registrar: 'sip:pbx example' is not a SIP URI", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("accounts[0].outboundProxy: 'sip:[::1' is not a SIP URI", StringComparison.Ordinal));
    }
}

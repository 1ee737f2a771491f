using System.Net;
using System.Text;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Phone;

namespace Intercom.Tests.Hosting;

/// <summary>accounts[].nat.stun (issue #19) reaches the phone as the account's STUN servers, compared by value.</summary>
public sealed class NatConfigurationTests
{
    private const string Json = """
        { "accounts": [ { "id": "provider", "aor": "sip:door@sip.example.net",
                          "nat": { "stun": [ "stun:stun.example.org", "stun:192.0.2.1:3479", "stun:[2001:db8::7]" ] } },
                        { "id": "lan", "aor": "sip:door@pbx.home.arpa" } ] }
        """;

    private static IntercomConfig Load()
    {
        Assert.True(ConfigLoader.TryParse(Encoding.UTF8.GetBytes(Json), out var config, out var errors), string.Join("\n", errors));
        return config!;
    }

    [Fact]
    public void The_stun_uris_become_the_accounts_servers_in_order_with_the_default_port()
    {
        var options = PhoneConfiguration.Options(Load(), simulate: true, TimeProvider.System);
        Assert.Equal(
            [new DnsEndPoint("stun.example.org", 3478), new DnsEndPoint("192.0.2.1", 3479), new DnsEndPoint("2001:db8::7", 3478)],
            options.Accounts[0].Nat.StunServers);
        Assert.Same(AccountNatOptions.None, options.Accounts[1].Nat);
    }

    [Fact]
    public void The_same_file_read_again_is_the_same_account_so_a_reload_does_not_re_register()
    {
        var first = PhoneConfiguration.Options(Load(), simulate: true, TimeProvider.System);
        var second = PhoneConfiguration.Options(Load(), simulate: true, TimeProvider.System);
        Assert.NotSame(first.Accounts[0].Nat.StunServers, second.Accounts[0].Nat.StunServers);
        Assert.Equal(first.Accounts[0], second.Accounts[0]);
    }
}

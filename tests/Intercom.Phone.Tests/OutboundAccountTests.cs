using Intercom.Sip.UserAgent;

namespace Intercom.Phone.Tests;

/// <summary>
/// What each account's registration offers for SIP outbound (RFC 5626 §4.1, §4.2): the station's instance id and a
/// reg-id per flow, unless the account says not to or the station has no instance id.
/// </summary>
public sealed class OutboundAccountTests
{
    private const string Instance = "urn:uuid:2f0e4b52-8c1d-5a3e-9f6b-0d2c4e6a8b10";

    private static AccountOptions Account(string id, string aor, bool outbound = true) =>
        new() { Id = id, AddressOfRecord = aor, Outbound = outbound };

    [Fact]
    public void Each_account_offers_the_station_instance_with_reg_id_1_and_a_second_flow_of_one_AOR_gets_2()
    {
        var options = new PhoneOptions
        {
            InstanceId = Instance,
            Accounts = [Account("a", "sip:door@pbx.example"), Account("b", "sip:door2@pbx.example"), Account("c", "sip:door@pbx.example")],
        };

        var registrations = options.Accounts.Select(a => CallAccounts.RegistrationOptions(a, options, new SipUserAgentOptions())).ToList();

        Assert.All(registrations, r => Assert.Equal(Instance, r.InstanceId));
        Assert.Equal([1, 1, 2], registrations.Select(r => r.RegId));
    }

    [Fact]
    public void An_account_with_outbound_off_offers_nothing()
    {
        var options = new PhoneOptions { InstanceId = Instance, Accounts = [Account("a", "sip:door@pbx.example", outbound: false)] };
        var registration = CallAccounts.RegistrationOptions(options.Accounts[0], options, new SipUserAgentOptions());
        Assert.Null(registration.InstanceId);
        Assert.Null(registration.RegId);
    }

    [Fact]
    public void Without_an_instance_id_no_account_offers_outbound()
    {
        var options = new PhoneOptions { Accounts = [Account("a", "sip:door@pbx.example")] };
        var registration = CallAccounts.RegistrationOptions(options.Accounts[0], options, new SipUserAgentOptions());
        Assert.Null(registration.InstanceId);
        Assert.Null(registration.RegId);
    }
}

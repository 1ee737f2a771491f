using Intercom.Sip.UserAgent;

namespace Intercom.Phone.Tests;

/// <summary>
/// An account's keep-alive as its registration gets it: the phone's "null: none" must reach the registration client as
/// "off" (zero), not as the client's "null: the default interval" — `keepalive: "off"` used to keep sending every 25 s.
/// </summary>
public sealed class AccountKeepAliveTests
{
    [Fact]
    public void An_account_with_keep_alive_off_registers_with_keep_alives_off()
    {
        var options = new PhoneOptions { Accounts = [new AccountOptions { Id = "a", AddressOfRecord = "sip:door@pbx.example", KeepAliveInterval = null }] };

        var registration = CallAccounts.RegistrationOptions(options.Accounts[0], options, new SipUserAgentOptions());

        Assert.Equal(TimeSpan.Zero, registration.KeepAliveInterval);
    }

    [Fact]
    public void An_account_with_an_interval_keeps_it()
    {
        var options = new PhoneOptions { Accounts = [new AccountOptions { Id = "a", AddressOfRecord = "sip:door@pbx.example", KeepAliveInterval = TimeSpan.FromSeconds(40) }] };

        var registration = CallAccounts.RegistrationOptions(options.Accounts[0], options, new SipUserAgentOptions());

        Assert.Equal(TimeSpan.FromSeconds(40), registration.KeepAliveInterval);
    }
}

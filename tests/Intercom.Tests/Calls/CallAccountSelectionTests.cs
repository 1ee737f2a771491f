using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Media.Srtp;
using Intercom.Sip.Messages;
using Intercom.Sip.Transport;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Tests.Calls;

/// <summary>
/// Issue #15.6: a call takes identity, route, transport, SRTP policy and credentials from one account, the one its
/// target is on (else the first), not identity from one and keys from accounts[0]; a TLS account routes to its registrar
/// over TLS even when no URI says so.
/// </summary>
public sealed class CallAccountSelectionTests
{
    private static StationApp Start()
    {
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts =
        [
            new SipAccountConfig { Id = "lan", Aor = "sip:door@127.0.0.1:5999", Register = false },
            new SipAccountConfig
            {
                Id = "pbx", Aor = "sip:door-b@127.0.0.2:5998", DisplayName = "Door B", Registrar = "sip:127.0.0.2:5998", Register = false,
                Transport = "tls", Srtp = "required", Password = "b-secret",
            },
        ];
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = ["sip:resident@127.0.0.2:5998"] }];
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        Assert.Empty(ConfigValidator.Validate(config));
        return StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
    }

    [Fact]
    public void A_target_on_the_tls_accounts_server_gets_that_accounts_identity_route_transport_srtp_and_credentials()
    {
        using var app = Start();

        var account = app.Calls.AccountFor(SipUri.Parse("sip:resident@127.0.0.2:5998"));

        Assert.Equal("pbx", account.Id);
        Assert.Equal("door-b", account.Identity.Uri.User);
        Assert.Equal("Door B", account.Identity.DisplayName);
        Assert.Equal(SipTransportProtocol.Tls, account.Transport);
        Assert.Equal(SrtpPolicy.Required, account.Srtp);
        Assert.Equal("sip:127.0.0.2:5998;transport=tls", account.OutboundProxy!.ToString());
        Assert.NotNull(account.Authorize);
    }

    [Fact]
    public void Any_other_target_goes_out_through_the_first_account_with_its_own_settings()
    {
        using var app = Start();

        var account = app.Calls.AccountFor(SipUri.Parse("sip:concierge@192.0.2.40"));

        Assert.Same(app.Calls.Account, account);
        Assert.Equal("lan", account.Id);
        Assert.Null(account.Transport);
        Assert.Equal(SrtpPolicy.Disabled, account.Srtp);
        Assert.Null(account.OutboundProxy);
        Assert.Null(account.Authorize);
    }
}

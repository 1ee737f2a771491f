using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Sip.Messages;
using Intercom.Station.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Tests.Calls;

/// <summary>
/// Issue #18, accounts as users expect them (baresip and pjsua do this): a ring group and the API's dial name the account
/// to call from, through the whole app (file → station → phone). Failover and incoming calls are the phone's own
/// (tests/Intercom.Phone.Tests/PhoneAccountTests). Two "PBXs" on two loopback hosts, over UDP.
/// </summary>
public sealed class AccountCallTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TwoAccountPbxs _pbxs = new();

    public void Dispose() => _pbxs.Dispose();

    [Fact]
    public async Task A_ring_group_naming_the_second_account_calls_from_it()
    {
        using var app = Start(register: false);

        app.Station.Dial("via-b", "test");

        var invite = await _pbxs.B.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at b");
        Assert.Equal("door-b", invite.From!.Uri.User);
        Assert.Equal($"sip:resident@{_pbxs.B.HostPort}", invite.RequestUri.ToString());
        Assert.DoesNotContain(_pbxs.A.Requests, r => r.Method == SipMethods.Invite);
    }

    [Fact]
    public async Task The_api_dial_names_the_account_of_a_single_target()
    {
        using var app = Start(register: false);

        app.Station.Dial("resident", "api", "b");

        var invite = await _pbxs.B.WaitForAsync(r => r.Method == SipMethods.Invite, "INVITE at b");
        Assert.Equal("door-b", invite.From!.Uri.User);
        Assert.DoesNotContain(_pbxs.A.Requests, r => r.Method == SipMethods.Invite);
    }

    private StationApp Start(bool register)
    {
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        // No display names: the accounts as a file without them has them.
        config.Accounts = [.. _pbxs.Accounts.Select(a => new SipAccountConfig
        {
            Id = a.Id, Aor = a.AddressOfRecord, Register = register, Password = a.Password, Keepalive = "off",
        })];
        config.Media.Codecs = ["pcmu"];
        config.Audio.Driver = "null";
        config.Station.RingGroups =
        [
            new RingGroupConfig { Id = "residents", Targets = ["resident"] },
            new RingGroupConfig { Id = "via-b", Account = "b", Targets = ["resident"] },
        ];
        config.Station.EventLog.PersistPath = null;
        Assert.Empty(ConfigValidator.Validate(config));
        return StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
    }
}

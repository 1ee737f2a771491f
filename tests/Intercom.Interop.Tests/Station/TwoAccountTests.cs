using System.Collections.Concurrent;
using System.Text.Json;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Interop.Tests.Peers;
using Intercom.Sip.UserAgent.Registration;
using Intercom.Station;
using Intercom.Station.Configuration;
using Intercom.Station.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Interop.Tests.Station;

/// <summary>
/// Issue #18, accounts as users expect them, against a real Kamailio and baresip: two accounts of the station at one
/// Kamailio, "door" over UDP and "door2" over TLS, and two ring groups naming one each. Each call leaves on its own
/// account: baresip sees that account's user as the caller, Kamailio logs the INVITE arriving over that account's
/// transport. And a ring group whose account's server is unreachable, or refuses the account, reaches the resident
/// through the next account.
/// </summary>
public sealed class TwoAccountTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-two-accounts-").FullName;
    private readonly ConcurrentQueue<StationEvent> _events = new();
    private KamailioWithResident _peers = null!;

    private string Domain => _peers.Domain;

    public async Task InitializeAsync() =>
        _peers = await KamailioWithResident.StartAsync(_dir, new Dictionary<string, string> { ["door"] = "door-secret", ["door2"] = "door2-secret" }, Wait);

    public async Task DisposeAsync()
    {
        await _peers.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Each_ring_group_calls_from_its_own_account_over_that_accounts_transport()
    {
        using var app = Start(UdpAccount("pbx-udp"), TlsAccount("pbx-tls", "door2", "door2-secret", _peers.Kamailio.TlsPort));
        await WaitUntil(() => Registered(app, "pbx-udp") && Registered(app, "pbx-tls"), "both accounts registered", app);

        app.Station.Dial("via-tls", "test");
        var first = await _peers.Resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        Assert.StartsWith("sip:door2@", PeerUri(first), StringComparison.Ordinal);
        await _peers.Kamailio.Process.WaitForLineAsync(@"request INVITE sip:resident@.* \(tls\)", Wait);
        await HangUpAsync();
        // The station takes the next call once it has seen the BYE (a dial while a call is up is refused).
        await WaitUntil(() => app.Station.CallState == StationCallState.Idle && app.Calls.ActiveLegs == 0, "the station idle again", app);

        app.Station.Dial("via-udp", "test");
        var second = await _peers.Resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        Assert.StartsWith("sip:door@", PeerUri(second), StringComparison.Ordinal);
        await _peers.Kamailio.Process.WaitForLineAsync(@"request INVITE sip:resident@.* \(udp\)", Wait);
        Assert.DoesNotContain(_peers.Kamailio.Process.Lines, l => l.Contains("request INVITE sip:resident@", StringComparison.Ordinal) && l.EndsWith("(tcp)", StringComparison.Ordinal));
        await HangUpAsync();
    }

    [Fact]
    public async Task A_ring_group_whose_accounts_server_is_unreachable_calls_through_the_next_account()
    {
        // Nothing listens on the first account's TLS port: its registration fails and its call cannot connect.
        var closed = FreePort.Next();
        using var app = Start(TlsAccount("pbx-down", "door2", "door2-secret", closed), UdpAccount("pbx-udp"), firstGroupAccount: "pbx-down");
        await WaitUntil(() => Registered(app, "pbx-udp"), "the second account registered", app);

        app.Station.Dial("residents", "test");

        var established = await _peers.Resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        Assert.StartsWith("sip:door@", PeerUri(established), StringComparison.Ordinal);
        await _peers.Kamailio.Process.WaitForLineAsync(@"request INVITE sip:resident@.* \(udp\)", Wait);
        await HangUpAsync();
    }

    [Fact]
    public async Task A_ring_group_whose_account_kamailio_refuses_calls_through_the_next_account()
    {
        // Kamailio knows door2 by another password: it challenges the account's INVITE, which cannot answer (407 stays).
        using var app = Start(TlsAccount("pbx-refused", "door2", "not-door2s-password", _peers.Kamailio.TlsPort), UdpAccount("pbx-udp"), firstGroupAccount: "pbx-refused");
        await WaitUntil(() => Registered(app, "pbx-udp"), "the second account registered", app);

        app.Station.Dial("residents", "test");

        var established = await _peers.Resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        Assert.StartsWith("sip:door@", PeerUri(established), StringComparison.Ordinal);
        // The refused attempt reached Kamailio over TLS as door2 first; the call that got through came over UDP.
        await _peers.Kamailio.Process.WaitForLineAsync(@"request INVITE sip:resident@.* \(tls\)", Wait);
        await _peers.Kamailio.Process.WaitForLineAsync(@"request INVITE sip:resident@.* \(udp\)", Wait);
        await HangUpAsync();
    }

    private static string PeerUri(JsonElement e) => e.GetProperty("peeruri").GetString() ?? "";

    private async Task HangUpAsync()
    {
        await _peers.Resident.CommandAsync("hangup");
        await _peers.Resident.WaitForEventAsync("CALL_CLOSED", Wait);
    }

    private SipAccountConfig UdpAccount(string id) => new()
    {
        Id = id, Aor = $"sip:door@{Domain}", OutboundProxy = $"sip:{Domain}", Password = "door-secret", ExpiresSeconds = 300,
    };

    private SipAccountConfig TlsAccount(string id, string user, string password, int port) => new()
    {
        Id = id, Aor = $"sip:{user}@{Domain}", Password = password, ExpiresSeconds = 300, Transport = "tls",
        Registrar = $"sip:127.0.0.1:{port};transport=tls", OutboundProxy = $"sip:127.0.0.1:{port};transport=tls",
    };

    private StationApp Start(SipAccountConfig first, SipAccountConfig second, string? firstGroupAccount = null)
    {
        var certificates = _peers.Kamailio.Certificates;
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen =
        [
            new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 },
            new SipListenerConfig { Transport = "tls", Address = "127.0.0.1", Port = 0 },
        ];
        config.Sip.Tls.CaFile = certificates.CaFile;
        config.Sip.Tls.CertificateFile = certificates.CertificateFile;
        config.Sip.Tls.PrivateKeyFile = certificates.PrivateKeyFile;
        config.Accounts = [first, second];
        config.Media.Codecs = ["pcmu"];
        config.Audio.Driver = "null";
        var resident = $"sip:resident@{Domain}";
        config.Station.RingGroups =
        [
            new RingGroupConfig { Id = "residents", Account = firstGroupAccount, Targets = [resident] },
            new RingGroupConfig { Id = "via-udp", Account = "pbx-udp", Targets = [resident] },
            new RingGroupConfig { Id = "via-tls", Account = second.Transport == "tls" ? second.Id : first.Id, Targets = [resident] },
        ];
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        Assert.Empty(ConfigValidator.Validate(config));
        var app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        app.Station.Events.Appended += (_, e) => _events.Enqueue(e);
        return app;
    }

    private static bool Registered(StationApp app, string accountId) =>
        app.Accounts.Current.FirstOrDefault(r => r.AccountId == accountId)?.Client.Status.State == RegistrationState.Registered;

    private async Task WaitUntil(Func<bool> condition, string what, StationApp app)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var registrations = string.Join(", ", app.Accounts.Current.Select(r => $"{r.AccountId}: {r.Client.Status.State}"));
                throw new TimeoutException($"{what} did not happen within {Wait.TotalSeconds} s ({registrations}); station events:\n"
                    + string.Join("\n", _events.Select(e => $"{e.Kind}: {e.Message}")));
            }

            await Task.Delay(20);
        }
    }
}

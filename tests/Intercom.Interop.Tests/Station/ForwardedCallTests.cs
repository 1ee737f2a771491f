using System.Collections.Concurrent;
using Intercom.Configuration;
using Intercom.Hosting;
using Intercom.Interop.Tests.Peers;
using Intercom.Station;
using Intercom.Station.Configuration;
using Intercom.Station.Events;
using Intercom.Station.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intercom.Interop.Tests.Station;

/// <summary>
/// Issue #21.4 against a real PBX: the ring group calls the resident's desk extension, Kamailio forwards it (302 with
/// the resident's mobile, a baresip), and the station follows the forward on the same leg: the mobile rings and answers,
/// the station is in the call, and the forward is in the event log. A forward to a host the configuration never calls
/// is not followed.
/// </summary>
public sealed class ForwardedCallTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("intercom-forwarded-").FullName;
    private readonly ConcurrentQueue<StationEvent> _events = new();
    private KamailioWithResident _peers = null!;

    public async Task InitializeAsync() =>
        _peers = await KamailioWithResident.StartAsync(_dir, new Dictionary<string, string> { ["door"] = "door-secret" }, Wait, kamailio =>
        {
            kamailio.Redirects["desk"] = $"sip:resident@127.0.0.1:{kamailio.UdpPort}";
            kamailio.Redirects["abroad"] = "sip:premium@127.0.0.9:5060";
        });

    public async Task DisposeAsync()
    {
        await _peers.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_station_follows_a_pbx_forward_to_the_residents_mobile()
    {
        using var app = Start("desk");

        app.Station.Dial("residents", "test");

        await _peers.Resident.WaitForEventAsync("CALL_ESTABLISHED", Wait);
        await WaitUntil(() => app.Station.CallState == StationCallState.InCall, "the station in the call");
        var forward = Assert.Single(_events.Select(e => e.Detail).OfType<RingGroupRedirected>());
        Assert.Equal($"sip:resident@127.0.0.1:{_peers.Kamailio.UdpPort}", forward.Target);
        Assert.Equal(302, forward.SipStatus);
        await _peers.Kamailio.Process.WaitForLineAsync(@"request INVITE sip:desk@", Wait);
        await _peers.Kamailio.Process.WaitForLineAsync(@"request INVITE sip:resident@", Wait);

        await _peers.Resident.CommandAsync("hangup");
        await _peers.Resident.WaitForEventAsync("CALL_CLOSED", Wait);
    }

    [Fact]
    public async Task A_forward_to_a_host_the_configuration_never_calls_ends_the_step()
    {
        using var app = Start("abroad");

        app.Station.Dial("residents", "test");

        await WaitUntil(() => _events.Any(e => e.Detail is RingGroupStepFailed { SipStatus: 302 }), "the step failed with the 302");
        Assert.Empty(_events.Select(e => e.Detail).OfType<RingGroupRedirected>());
        Assert.DoesNotContain(_peers.Kamailio.Process.Lines, l => l.Contains("request INVITE sip:premium@", StringComparison.Ordinal));
    }

    private StationApp Start(string extension)
    {
        var domain = _peers.Domain;
        var config = new IntercomConfig { Name = "Front door" };
        config.Sip.Listen = [new SipListenerConfig { Transport = "udp", Address = "127.0.0.1", Port = 0 }];
        config.Accounts =
        [
            new SipAccountConfig { Id = "pbx", Aor = $"sip:door@{domain}", OutboundProxy = $"sip:{domain}", Password = "door-secret", ExpiresSeconds = 300 },
        ];
        config.Media.Codecs = ["pcmu"];
        config.Audio.Driver = "null";
        config.Station.RingGroups = [new RingGroupConfig { Id = "residents", Targets = [$"sip:{extension}@{domain}"], RingTimeoutSeconds = 20 }];
        config.Station.EventLog = new EventLogConfig { PersistPath = null };
        Assert.Empty(ConfigValidator.Validate(config));
        var app = StationApp.Start(config, simulate: true, NullLoggerFactory.Instance);
        app.Station.Events.Appended += (_, e) => _events.Enqueue(e);
        return app;
    }

    private async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {Wait.TotalSeconds} s; station events:\n"
                    + string.Join("\n", _events.Select(e => $"{e.Kind}: {e.Message}")));
            }

            await Task.Delay(20);
        }
    }
}

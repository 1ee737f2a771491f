using Intercom.Station.Calls;
using Intercom.Station.Configuration;
using Intercom.Station.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Intercom.Station.Tests;

/// <summary>
/// Issue #15.7: refused INVITEs (and any other call traffic an outsider can cause at will) must not push a door opening,
/// a lockout or a tamper alarm out of the bounded event log — in memory or in the persisted tail.
/// </summary>
public sealed class EventLogFloodTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "intercom-eventflood-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Ten_thousand_refused_calls_do_not_push_a_door_opening_out_of_the_log()
    {
        using var f = StationFixture.Create(c =>
        {
            c.Incoming.Allowlist = ["sip:resident@pbx.example"];
            c.Incoming.AutoAnswer = true;
        });
        var resident = f.Calls.Incoming("sip:resident@pbx.example", "192.0.2.10");
        f.Calls.Keys(resident, "1234");
        f.Calls.End(resident);

        for (var i = 0; i < 10_000; i++)
        {
            f.Calls.Incoming($"sip:intruder{i}@evil.example", "192.0.2.66");
        }

        var log = f.Log;
        Assert.Equal(10_000, f.Calls.Rejected.Count);
        Assert.Equal(f.Config.EventLog.Capacity, log.Count);
        Assert.Contains(log, e => e.Kind == StationEventKind.CodeAccepted);
        Assert.Contains(log, e => e.Kind == StationEventKind.Relay && e.Message == "door energised");
        Assert.Contains(log, e => e.Message.StartsWith("station started", StringComparison.Ordinal));

        // The flood itself is still on record: its newest refusals, in order, after the door opening.
        Assert.Contains("intruder9999@", log[^1].Message, StringComparison.Ordinal);
        Assert.True(log.Zip(log.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
    }

    [Fact]
    public void The_newest_half_of_the_log_in_door_and_code_events_survives_any_flood()
    {
        using var log = new EventLog(new EventLogConfig { Capacity = 100, PersistPath = null }, _time);
        for (var i = 1; i <= 80; i++)
        {
            log.Append(StationEventKind.Door, $"door {i}");
        }

        for (var i = 0; i < 1000; i++)
        {
            log.Append(StationEventKind.Incoming, $"call {i} rejected: not on the allowlist (403)");
        }

        var kept = log.Snapshot();
        Assert.Equal(100, kept.Count);
        Assert.Equal(Enumerable.Range(31, 50).Select(i => $"door {i}"), kept.Where(e => e.Kind == StationEventKind.Door).Select(e => e.Message));
        Assert.Equal(50, kept.Count(e => e.Kind == StationEventKind.Incoming));
    }

    [Fact]
    public void Without_a_flood_either_kind_may_fill_the_whole_log()
    {
        using var log = new EventLog(new EventLogConfig { Capacity = 100, PersistPath = null }, _time);
        for (var i = 1; i <= 150; i++)
        {
            log.Append(StationEventKind.Lockout, $"lockout {i}");
        }

        Assert.Equal(Enumerable.Range(51, 100).Select(i => $"lockout {i}"), log.Snapshot().Select(e => e.Message));

        for (var i = 1; i <= 150; i++)
        {
            log.Append(StationEventKind.Call, $"call {i}");
        }

        // Calls age lockouts out like any log, down to the half that traffic may not take.
        var kept = log.Snapshot();
        Assert.Equal(50, kept.Count(e => e.Kind == StationEventKind.Lockout));
        Assert.Equal("lockout 150", kept.Last(e => e.Kind == StationEventKind.Lockout).Message);
    }

    [Fact]
    public void The_persisted_tail_keeps_the_door_opening_through_a_flood_and_a_restart()
    {
        var config = new EventLogConfig { Capacity = 100, PersistCount = 40, PersistPath = Path.Combine(_dir, "events.log"), FlushIntervalSeconds = 60 };
        using (var log = new EventLog(config, _time))
        {
            log.Append(StationEventKind.CodeAccepted, "code 'resident' accepted via RFC 4733 on call 1: opening door");
            log.Append(StationEventKind.Relay, "door energised");
            for (var i = 0; i < 5000; i++)
            {
                log.Append(StationEventKind.Incoming, $"call from sip:x{i}@evil.example rejected: not on the allowlist (403)");
            }
        }

        using var reopened = new EventLog(config, _time);
        var events = reopened.Snapshot();
        Assert.Equal(40, events.Count);
        Assert.Contains(events, e => e.Kind == StationEventKind.CodeAccepted);
        Assert.Contains(events, e => e.Kind == StationEventKind.Relay);
        Assert.Contains("x4999@", events[^1].Message, StringComparison.Ordinal);
    }
}
